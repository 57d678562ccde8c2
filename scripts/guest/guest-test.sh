#!/usr/bin/env bash
# Runs the guest test suites without Maven (the container image has none), as a user's project would
# run @VfioGuest classes with the JUnit console launcher: on this machine, the extension booting one
# guest for io.jvfio.it.vfio (@IntelIommuGuest) and one for io.jvfio.it.iopf (@MockIommuGuest) and
# reporting every test as it ended there; then GuestReport prints the summary, naming the kernel.
# The guests boot the kernel lane JVFIO_KERNEL (6.12 by default, or 7.2; see scripts/lib.sh).
#   scripts/guest/guest-test.sh CLASSPATH_FILE TEST_CLASSES_DIR OUT_DIR [JAVA_HOME]
# Exits non-zero if a test failed, a guest failed, or no test ran at all.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

cp_file=${1:?usage: guest-test.sh CLASSPATH_FILE TEST_CLASSES_DIR OUT_DIR [JAVA_HOME]}
classes=${2:?test classes dir}
out=${3:?output dir}
java_home=${4:-${JAVA_HOME:-$(path_java_home)}}
java="$java_home/bin/java"
classpath="$(cat "$cp_file"):$classes"
rm -rf "$out"
mkdir -p "$out"
[ -n "${JVFIO_GUEST_KERNEL:-}" ] || check_kernel_lane "$JVFIO_KERNEL"

log "running io.jvfio.it's guest tests on the Linux ${JVFIO_KERNEL} lane (guests' logs under $out/guests)"
# The launcher's own exit status is left to GuestReport, which also fails when no test ran.
"$java" -Djvfio.guest.out="$out/guests" -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --select-package io.jvfio.it --reports-dir "$out/reports" || true
exec "$java" -cp "$classes" io.jvfio.it.GuestReport "$out/reports" "$out/guests"
