#!/usr/bin/env bash
# The README's main command: builds jvfio and runs `jvfio demo`, which boots the project's QEMU guest
# (building and caching its kernel on the first run) and shows device discovery, a DMA round trip
# through the Intel vIOMMU with an MSI, and the fault-service loop serving a burst of I/O page faults.
# Installs what it needs (QEMU, busybox-static, linux-source-6.12 for the guest, linux-source-7.2 for
# the shim's UAPI headers, and the kernel build tools).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$JVFIO_ROOT"
ensure_guest_packages
log "building jvfio (mvn package)"
mvn -B -q package -DskipTests >&2
exec "$JVFIO_ROOT/scripts/jvfio" demo "$@"
