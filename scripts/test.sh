#!/usr/bin/env bash
# The whole test suite: native build, host unit tests, then the guest integration suite (QEMU with an
# Intel vIOMMU, real VFIO and iommufd in a Linux 6.12 guest). Installs what it needs (QEMU,
# busybox-static, linux-source-6.12 and the kernel build tools) and caches the guest kernel under
# ~/.cache/jvfio. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_guest_packages
exec mvn -B verify "$@"
