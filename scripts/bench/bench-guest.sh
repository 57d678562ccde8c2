#!/usr/bin/env bash
# The guest benchmarks: io.jvfio.bench.IopfBenchmark in the iopf guest (the Java fault-service loop
# against the shim's C reference loop on the same kernel fault queue), io.jvfio.bench.DemandPagingBenchmark
# in another iopf guest (demand mapping Java against C, fault-around windows, pin everything against
# demand paging; with 3 GiB of guest memory, as it pins up to 1 GiB) and io.jvfio.bench.DmaMapBenchmark
# in the vfio guest (DMA map + unmap through the legacy container and iommufd, Java against C).
# Prints their Markdown tables, each under a line naming the guest's kernel, and writes them to
# target/bench/{iopf,demand,dma}.md, with demand's latency plot in target/bench/demand-latency.svg.
# Not tests: nothing is asserted on time. anatomy (io.jvfio.bench.IopfAnatomy and DemandAnatomy, run
# only when asked) splits the fault loop's cost into its pieces, the queue round trip's and demand
# mapping's, for whoever works on that loop.
#   scripts/bench.sh guest [--kernel 6.12|7.2] [iopf|demand|dma|anatomy ...] [-Dproperty=value ...]
#   (default: iopf, demand and dma)
# --kernel picks the guests' kernel lane, as JVFIO_KERNEL does (default 6.12).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
cd "$JVFIO_ROOT"

lane=$JVFIO_KERNEL which=() jvm=()
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel)
            [ $# -ge 2 ] || die "bench.sh guest: --kernel needs a lane (6.12 or 7.2)"
            lane=$2
            shift ;;
        iopf|demand|dma|anatomy) which+=("$1") ;;
        -D*) jvm+=("$1") ;;
        *) die "bench.sh guest: unknown argument $1 (--kernel LANE, iopf, demand, dma, anatomy or -Dname=value)" ;;
    esac
    shift
done
[ ${#which[@]} -gt 0 ] || which=(iopf demand dma)
check_kernel_lane "$lane"
export JVFIO_KERNEL=$lane
log "the guest benchmarks on the Linux $JVFIO_KERNEL kernel lane"

ensure_guest_packages
log "building jvfio and the benchmark classes"
mvn_retrying -B -q verify -DskipTests -Djvfio.guest.skip=true -pl java,testing,cli,integration-tests >&2
classpath="$(cat integration-tests/target/guest-classpath.txt):$JVFIO_ROOT/integration-tests/target/test-classes"
java_home=${JAVA_HOME:-$(path_java_home)}
out="$JVFIO_ROOT/target/bench"
mkdir -p "$out"

# run NAME PROFILE CLASS [GUEST-EXEC ARGS...]
run() {
    local name=$1 profile=$2 class=$3 dir="$out/$1-guest"
    shift 3
    rm -rf "$dir"
    mkdir -p "$dir"
    "$JVFIO_ROOT/scripts/guest/guest-exec.sh" --profile "$profile" --timeout "${JVFIO_GUEST_TIMEOUT:-1500}" --out "$dir" "$@" -- \
        "$java_home/bin/java" -Xshare:auto -XX:ErrorFile="$dir/hs_err_pid%p.log" \
        -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${jvm[@]+"${jvm[@]}"} \
        -cp "$classpath" "$class" "$dir/$name.md" >&2
    [ -s "$dir/$name.md" ] || die "the $name benchmark wrote no result; see $dir/serial.log"
    cp "$dir/$name.md" "$out/$name.md"
    for svg in "$dir"/*.svg; do
        if [ -e "$svg" ]; then cp "$svg" "$out/"; fi
    done
    echo "$name, guest linux $(cat "$dir/kernel-release") under TCG:"
    echo
    cat "$out/$name.md"
    echo
}

for w in "${which[@]}"; do
    case "$w" in
        iopf) run iopf iopf io.jvfio.bench.IopfBenchmark ;;
        demand) run demand iopf io.jvfio.bench.DemandPagingBenchmark --memory 3G ;;
        anatomy)
            run anatomy iopf io.jvfio.bench.IopfAnatomy
            run demand-anatomy iopf io.jvfio.bench.DemandAnatomy ;;
        dma) run dma vfio io.jvfio.bench.DmaMapBenchmark ;;
    esac
done
