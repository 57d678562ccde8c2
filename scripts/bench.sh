#!/usr/bin/env bash
# Every benchmark, one Markdown report: the binding benchmarks on the host (JMH: JNI, JNA, jnr-ffi,
# FFM) and the guest benchmarks (the IOPF loop and DMA mapping, Java against C). Writes
# target/bench/results.md and prints it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$JVFIO_ROOT"
out="$JVFIO_ROOT/target/bench"
mkdir -p "$out"
"$JVFIO_ROOT/scripts/bench/bench-bindings.sh" >/dev/null
"$JVFIO_ROOT/scripts/bench/bench-guest.sh" >/dev/null
{
    echo "# jvfio benchmarks"
    echo
    echo "## Bindings (host, JMH)"
    echo
    cat "$out/bindings.md"
    echo
    echo "## I/O page faults (guest, Linux 6.12 under TCG)"
    echo
    cat "$out/iopf.md"
    echo
    echo "## DMA mapping (guest, Linux 6.12 under TCG)"
    echo
    cat "$out/dma.md"
} >"$out/results.md"
cat "$out/results.md"
