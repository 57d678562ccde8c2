#!/usr/bin/env bash
# The README's main command: builds jvfio and runs `jvfio demo`, which boots the project's QEMU guest
# (building and caching its kernel on the first run) and shows device discovery, a DMA round trip
# through the Intel vIOMMU with an MSI, and the fault-service loop serving a burst of I/O page faults.
#   scripts/demo.sh [--kernel 6.12|7.2] [jvfio demo options, e.g. --faults N]
# --kernel picks the guest's kernel lane, as JVFIO_KERNEL does (default 6.12). Installs what it needs
# (QEMU, busybox-static, the lane's kernel source: linux-source-6.12, or linux-source-7.2 from
# trixie-backports, linux-source-7.2 in any case for the shim's UAPI headers, and the kernel build tools).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$JVFIO_ROOT"
lane=$JVFIO_KERNEL demo_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --kernel)
            [ $# -ge 2 ] || die "demo.sh: --kernel needs a lane (6.12 or 7.2)"
            lane=$2
            shift 2 ;;
        *) demo_args+=("$1"); shift ;;
    esac
done
check_kernel_lane "$lane"
export JVFIO_KERNEL=$lane
log "the demo on the Linux $JVFIO_KERNEL kernel lane"
# QEMU, busybox, the build tools and, through ensure_kernel_source "$JVFIO_KERNEL", the lane's source.
ensure_guest_packages
log "building jvfio (mvn package)"
mvn_retrying -B -q package -DskipTests >&2
exec "$JVFIO_ROOT/scripts/jvfio" demo ${demo_args[@]+"${demo_args[@]}"}
