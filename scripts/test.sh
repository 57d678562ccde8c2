#!/usr/bin/env bash
# The whole test suite: native build, host unit tests, the guest integration suite (QEMU with an
# Intel vIOMMU, real VFIO and iommufd in the guest) on both kernel lanes, Linux 6.12 and 7.2, on the
# host and inside the project's container image through Testcontainers
# (scripts/container/container-test.sh prepares podman and the image, which carries both guests).
# In this order: the first mvn verify runs the host's 6.12 suite (Surefire, through @VfioGuest) and
# then the container tests (the suites on 6.12, then 7.2, and a @VfioGuest class whose guest boots in
# the container: VfioGuestInContainerIT); a second mvn verify runs the host's 7.2 suite; then
# scripts/example-test.sh builds examples/guest-test, a project of its own, against the installed
# artifacts (6.12). Installs what it needs (QEMU, busybox-static, both kernel sources, the kernel build tools, podman) and caches the guest kernels
# under ~/.cache/jvfio. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ensure_guest_packages
ensure_kernel_source 7.2
JVFIO_KERNEL=6.12 scripts/container/container-test.sh mvn -B verify "$@"
log "the second kernel lane on the host: the guest suites again on Linux 7.2 (the container test ran both lanes)"
# A prebuilt guest named in the environment would stand in for the lane's own kernel.
env -u JVFIO_GUEST_KERNEL -u JVFIO_GUEST_INITRAMFS JVFIO_KERNEL=7.2 mvn -B verify -DskipITs "$@"

log "a user's project: examples/guest-test against the installed jvfio artifacts (scripts/example-test.sh)"
env -u JVFIO_GUEST_KERNEL -u JVFIO_GUEST_INITRAMFS JVFIO_KERNEL=6.12 scripts/example-test.sh
