#!/usr/bin/env bash
# jvfio's benchmarks, one entry point. With no argument: every benchmark, one Markdown report in
# target/bench/results.md, printed. With one: that benchmark alone, its table printed and written
# under target/bench/. The benchmarks themselves live in scripts/bench/.
#   scripts/bench.sh [--kernel LANE]                          every benchmark, one report
#   scripts/bench.sh bindings [JMH ARGS...]                   JNI, JNA, jnr-ffi, FFM on the host
#   scripts/bench.sh guest [--kernel LANE] [iopf|demand|dma|anatomy ...] [-Dname=value ...]
#                                                             IOPF, demand paging and DMA mapping
# --kernel picks the guests' kernel lane, 6.12 or 7.2, as JVFIO_KERNEL does (default 6.12).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$JVFIO_ROOT"
if [ $# -gt 0 ] && [ "$1" != --kernel ]; then
    what=$1
    shift
    case "$what" in
        bindings) exec "$JVFIO_ROOT/scripts/bench/bench-bindings.sh" "$@" ;;
        guest) exec "$JVFIO_ROOT/scripts/bench/bench-guest.sh" "$@" ;;
        *) die "bench.sh: unknown benchmark '$what' (bindings, guest, or none for all of them)" ;;
    esac
fi
lane=$JVFIO_KERNEL
if [ $# -gt 0 ]; then
    [ $# -ge 2 ] || die "bench.sh: --kernel needs a lane (6.12 or 7.2)"
    [ $# -eq 2 ] || die "bench.sh: every benchmark takes one option, --kernel 6.12|7.2, not: $*"
    lane=$2
fi
check_kernel_lane "$lane"
out="$JVFIO_ROOT/target/bench"
mkdir -p "$out"
"$JVFIO_ROOT/scripts/bench/bench-bindings.sh" >/dev/null
"$JVFIO_ROOT/scripts/bench/bench-guest.sh" --kernel "$lane" >/dev/null
{
    echo "# jvfio benchmarks"
    echo
    echo "## Bindings (host, JMH)"
    echo
    cat "$out/bindings.md"
    echo
    echo "## I/O page faults (guest, linux $(cat "$out/iopf-guest/kernel-release") under TCG)"
    echo
    cat "$out/iopf.md"
    echo
    echo "![fault queue round trip, latency percentiles](iopf-latency.svg)"
    echo
    echo "## Demand paging (guest, linux $(cat "$out/demand-guest/kernel-release") under TCG)"
    echo
    cat "$out/demand.md"
    echo
    echo "![demand mapping, latency percentiles](demand-latency.svg)"
    echo
    echo "## DMA mapping (guest, linux $(cat "$out/dma-guest/kernel-release") under TCG)"
    echo
    cat "$out/dma.md"
} >"$out/results.md"
cat "$out/results.md"
