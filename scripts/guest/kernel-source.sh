#!/usr/bin/env bash
# Unpacks a kernel lane's Debian source package (linux-source-6.12 or linux-source-7.2) into the
# cache and installs its UAPI headers there.
# Prints the directory that holds the unpacked tree's UAPI headers (usable as -isystem DIR/include).
#   scripts/guest/kernel-source.sh [--kernel LANE]          -> headers dir on stdout
#   scripts/guest/kernel-source.sh [--kernel LANE] --tree   -> kernel tree dir on stdout
# LANE defaults to JVFIO_KERNEL (6.12 unless set).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

what=headers lane=$JVFIO_KERNEL
while [ $# -gt 0 ]; do
    case "$1" in
        --tree) what=tree; shift ;;
        --kernel) lane=$2; shift 2 ;;
        *) die "kernel-source.sh: unknown option $1 (see the usage at the top of $0)" ;;
    esac
done
package=$(kernel_package "$lane")

ensure_kernel_source "$lane"
ensure_packages make gcc xz-utils rsync

version=$(kernel_package_version "$lane" | tr "~:" "__")
tree="$JVFIO_CACHE/src/linux-$version"
headers="$JVFIO_CACHE/uapi/linux-$version"

unpack() {
    [ -f "$tree/.jvfio-unpacked" ] && return 0
    local tarball
    tarball=$(ls /usr/src/"$package".tar.* 2>/dev/null | head -n 1)
    [ -n "$tarball" ] || die "no /usr/src/$package.tar.* although $package is installed"
    log "unpacking $tarball ($version) into $tree"
    rm -rf "$tree" "$tree.tmp"
    mkdir -p "$tree.tmp"
    tar -C "$tree.tmp" --strip-components=1 -xf "$tarball"
    mv "$tree.tmp" "$tree"
    touch "$tree/.jvfio-unpacked"
}

install_headers() {
    [ -f "$headers/.jvfio-installed" ] && return 0
    log "installing UAPI headers of $version into $headers"
    rm -rf "$headers" "$headers.build"
    # Out of tree, so the unpacked source stays clean for the guest kernel's own O= build.
    make -s -C "$tree" O="$headers.build" ARCH=x86_64 INSTALL_HDR_PATH="$headers" headers_install >&2
    rm -rf "$headers.build"
    touch "$headers/.jvfio-installed"
}

with_lock "src-$version" unpack
if [ "$what" = tree ]; then
    echo "$tree"
    exit 0
fi
with_lock "uapi-$version" install_headers
echo "$headers"
