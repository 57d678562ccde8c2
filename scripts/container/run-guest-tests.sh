#!/usr/bin/env bash
# Inside the jvfio image: runs the guest integration suite with the jars the image ships, on the
# kernel lane JVFIO_KERNEL names (6.12 by default, or 7.2; the image carries a guest for each, under
# JVFIO_GUEST_DIR), and prints the suite's summary ("guest tests (linux RELEASE): N passed, N failed,
# N skipped"). Exits non-zero on a failure.
#   run-guest-tests.sh [OUT_DIR]
set -euo pipefail
home=${JVFIO_HOME:-/opt/jvfio}
out=${1:-/tmp/jvfio-guest}
mkdir -p "$out"
ls "$home"/lib/*.jar | paste -sd: - >"$out/classpath.txt"
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
exec "$home/scripts/guest/guest-test.sh" "$out/classpath.txt" "$home/test-classes" "$out/suite" "$java_home"
