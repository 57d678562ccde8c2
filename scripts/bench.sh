#!/usr/bin/env bash
# jvfio's benchmarks, one entry point. With no argument: every benchmark, one Markdown report in
# target/bench/results.md, printed. With one: that benchmark alone, its table printed and written
# under target/bench/. The benchmarks themselves live in scripts/bench/.
#   scripts/bench.sh                                          every benchmark, one report
#   scripts/bench.sh bindings [JMH ARGS...]                   JNI, JNA, jnr-ffi, FFM on the host
#   scripts/bench.sh guest [iopf|dma ...] [-Dname=value ...]  IOPF and DMA mapping, Java vs C
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$JVFIO_ROOT"
if [ $# -gt 0 ]; then
    what=$1
    shift
    case "$what" in
        bindings) exec "$JVFIO_ROOT/scripts/bench/bench-bindings.sh" "$@" ;;
        guest) exec "$JVFIO_ROOT/scripts/bench/bench-guest.sh" "$@" ;;
        *) die "bench.sh: unknown benchmark '$what' (bindings, guest, or none for all of them)" ;;
    esac
fi
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
