#!/usr/bin/env bash
# The whole test suite: native build, host unit tests, the guest integration suite (QEMU with an
# Intel vIOMMU, real VFIO and iommufd in a Linux 6.12 guest), and the same suite inside the
# project's container image through Testcontainers (scripts/container/container-test.sh prepares
# podman and the image). Installs what it needs (QEMU, busybox-static, linux-source-6.12, the kernel
# build tools, podman) and caches the guest kernel under ~/.cache/jvfio. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_guest_packages
exec scripts/container/container-test.sh mvn -B verify "$@"
