#!/usr/bin/env bash
# Runs the guest test suites: boots the `vfio` guest for package io.jvfio.it.vfio and the `iopf`
# guest for io.jvfio.it.iopf, runs the JUnit console launcher in each, then reports on the host.
# The guests boot the kernel lane JVFIO_KERNEL (6.12 by default, or 7.2; see scripts/lib.sh), and
# every summary line names the kernel that ran.
#   scripts/guest/guest-test.sh CLASSPATH_FILE TEST_CLASSES_DIR OUT_DIR [JAVA_HOME]
# Exits non-zero if a test failed, a guest failed, or no test ran at all.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cp_file=${1:?usage: guest-test.sh CLASSPATH_FILE TEST_CLASSES_DIR OUT_DIR [JAVA_HOME]}
classes=${2:?test classes dir}
out=${3:?output dir}
java_home=${4:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
java="$java_home/bin/java"
classpath="$(cat "$cp_file"):$classes"
rm -rf "$out"
mkdir -p "$out"

if [ -n "${JVFIO_GUEST_KERNEL:-}" ]; then
    kernel_said="the prebuilt kernel $JVFIO_GUEST_KERNEL"
else
    check_kernel_lane "$JVFIO_KERNEL"
    kernel_said="the Linux $JVFIO_KERNEL lane"
fi

# The kernel a profile's guest booted, as it said itself (uname -r).
ran_kernel() {
    if [ -f "$1/kernel-release" ]; then
        echo "linux $(cat "$1/kernel-release")"
    else
        echo "$kernel_said, which did not get to run the tests"
    fi
}

guest_failed=()
for profile in vfio iopf; do
    if ! ls "$classes/io/jvfio/it/$profile/"*Test.class >/dev/null 2>&1; then
        log "no guest tests for the $profile profile yet; skipping its boot"
        continue
    fi
    mkdir -p "$out/$profile/reports"
    log "running io.jvfio.it.$profile in the $profile guest ($kernel_said)"
    # The JVM runs with its default JIT, as users run it: a crash in compiled code must show here.
    # HangGuard halts it when one test runs past JVFIO_TEST_HANG_SECONDS (the slowest test takes
    # about 20 s under TCG), naming the test, so a hang cannot hold the device until the guest times out.
    if ! "$JVFIO_ROOT/scripts/guest/guest-exec.sh" --profile "$profile" --timeout "${JVFIO_GUEST_TIMEOUT:-1500}" \
            --out "$out/$profile" -- \
            "$java" -Xcheck:jni -Xshare:auto -XX:ErrorFile="$out/$profile/hs_err_pid%p.log" -Djvfio.it.out="$out/$profile" \
            -Djvfio.it.hangGuardSeconds="${JVFIO_TEST_HANG_SECONDS:-300}" \
            -Dorg.slf4j.simpleLogger.defaultLogLevel=info \
            -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \
            --disable-banner --details=tree --select-package "io.jvfio.it.$profile" \
            --reports-dir "$out/$profile/reports"; then
        hung=""
        if [ -f "$out/$profile/hung-test.txt" ]; then
            hung="; test hung: $(head -n 1 "$out/$profile/hung-test.txt")"
        fi
        guest_failed+=("$profile ($(ran_kernel "$out/$profile"))$hung$(report_jvm_crashes "$out/$profile")")
    fi
    # The console launcher's own output went to the serial console; keep the readable part.
    sed -n '/JVFIO-GUEST-READY/,/JVFIO-GUEST-EXIT/p' "$out/$profile/serial.log" >"$out/$profile/console.log" || true
    tail -n 60 "$out/$profile/console.log" >&2
done

set +e
"$java" -cp "$classes" io.jvfio.it.GuestReport "$out"
report=$?
set -e
if [ ${#guest_failed[@]} -gt 0 ]; then
    log "guest run failed for: ${guest_failed[*]} (serial logs under $out)"
    exit 1
fi
exit "$report"
