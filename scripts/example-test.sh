#!/usr/bin/env bash
# A user's project against real VFIO (README, "Testing your code against real VFIO"): installs jvfio
# and jvfio-testing into the local Maven repository, then builds examples/guest-test, a Maven project
# of its own that depends only on them, and checks what its host reports say:
#   - `mvn test` passes: EduDmaTest binds edu and does a DMA round trip in a guest;
#   - HostSeesGuestResultsTest shows 1 pass, 1 failure with the guest's message and 1 skip with its reason;
#   - UnbootableGuestTest (a bad kernel argument) fails its class saying the guest did not boot;
#   - the README's own copy of the project (its pom and test class, taken from the README as a user
#     would copy them) passes `mvn test` as written, built under /tmp, which the guest mounts a tmpfs
#     of its own on: the project reaches the guest through a share of its own (guest-exec.sh --share).
# The guests boot the lane JVFIO_KERNEL names (6.12 by default).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

log "installing jvfio and jvfio-testing into the local Maven repository"
mvn -B -q install -DskipTests -DskipITs -Djvfio.guest.skip=true -pl java,testing -am >&2
export JVFIO_HOME=$JVFIO_ROOT
cd examples/guest-test
rm -rf target
log "examples/guest-test: mvn test (EduDmaTest in a guest)"
mvn -B test
log "examples/guest-test: the classes that fail and skip on purpose"
mvn -B test -Dtest='HostSeesGuestResultsTest,UnbootableGuestTest' -Dmaven.test.failure.ignore=true
reports=target/surefire-reports
expect() { # FILE PATTERN WHAT
    grep -q -- "$2" "$1" || die "examples/guest-test: $3 (no '$2' in $1)"
}
r=$reports/TEST-com.example.HostSeesGuestResultsTest.xml
expect "$r" 'tests="3" errors="0" skipped="1" failures="1"' "the host does not show 3 tests, 1 failed, 1 skipped"
expect "$r" 'message="deliberate failure in the guest running ' "the failure does not carry the guest's message"
expect "$r" 'deliberate skip in the guest' "the skip does not carry its reason"
r=$reports/TEST-com.example.UnbootableGuestTest.xml
expect "$r" 'errors="1"' "the unbootable guest did not fail its class"
expect "$r" 'did not boot in 60s' "the class failure does not say the guest did not boot"
log "examples/guest-test: pass, deliberate failure, skip and unbootable guest reported on the host as expected"

# readme_block LANG: the first ```LANG block of the README's section "Testing your code against real VFIO".
readme_block() {
    awk -v lang="$1" '/^## Testing your code against real VFIO/ { in_section = 1; next }
        in_section && /^## / { exit }
        in_section && !done && $0 == "```" lang { in_block = 1; next }
        in_block && $0 == "```" { in_block = 0; done = 1; next }
        in_block { print }' "$JVFIO_ROOT/README.md"
}
readme=$(mktemp -d /tmp/jvfio-readme-example.XXXXXX)
mkdir -p "$readme/src/test/java/com/example"
readme_block xml >"$readme/pom.xml"
readme_block java >"$readme/src/test/java/com/example/EduDmaTest.java"
[ -s "$readme/pom.xml" ] && [ -s "$readme/src/test/java/com/example/EduDmaTest.java" ] \
    || die "the README's section \"Testing your code against real VFIO\" lost its pom or its test class"
log "the README's example project as written ($readme): mvn test"
(cd "$readme" && mvn -B test)
expect "$readme/target/surefire-reports/TEST-com.example.EduDmaTest.xml" 'tests="1" errors="0" skipped="0" failures="0"' \
    "the README's example did not pass its one test"
rm -rf "$readme"
log "the README's example project passed as written, built under /tmp"
