#!/usr/bin/env bash
# The IOPF benchmark: boots the iopf guest and runs io.jvfio.bench.IopfBenchmark in it, the Java
# fault-service loop against the shim's C reference loop on the same kernel fault source. Prints a
# Markdown table and writes it to target/bench/iopf.md. Not a test: it asserts nothing on time.
#   scripts/bench-iopf.sh [-Djvfio.bench.faults=N -Djvfio.bench.runs=N ...]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$JVFIO_ROOT"

ensure_guest_packages
log "building jvfio and the benchmark classes"
mvn -B -q verify -DskipTests -Djvfio.guest.skip=true >&2
classpath="$(cat integration-tests/target/guest-classpath.txt):$JVFIO_ROOT/integration-tests/target/test-classes"
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
out="$JVFIO_ROOT/target/bench"
mkdir -p "$out"
rm -f "$out/iopf.md"
"$JVFIO_ROOT/scripts/guest-exec.sh" --profile iopf --timeout "${JVFIO_GUEST_TIMEOUT:-1500}" --out "$out/iopf-guest" -- \
    "$java_home/bin/java" -Xshare:auto -Dorg.slf4j.simpleLogger.defaultLogLevel=warn "$@" \
    -cp "$classpath" io.jvfio.bench.IopfBenchmark "$out/iopf-guest/iopf.md" >&2
[ -s "$out/iopf-guest/iopf.md" ] || die "the benchmark wrote no result; see $out/iopf-guest/serial.log"
cp "$out/iopf-guest/iopf.md" "$out/iopf.md"
cat "$out/iopf.md"
