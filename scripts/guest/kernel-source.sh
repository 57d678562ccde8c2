#!/usr/bin/env bash
# Unpacks Debian's linux-source-6.12 into the cache and installs its UAPI headers there.
# Prints the directory that holds the unpacked tree's UAPI headers (usable as -isystem DIR/include).
#   scripts/guest/kernel-source.sh            -> headers dir on stdout
#   scripts/guest/kernel-source.sh --tree     -> kernel tree dir on stdout
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

what=headers
[ "${1:-}" = --tree ] && what=tree

ensure_packages "$JVFIO_KERNEL_PACKAGE" make gcc xz-utils rsync

version=$(kernel_package_version | tr "~:" "__")
tree="$JVFIO_CACHE/src/linux-$version"
headers="$JVFIO_CACHE/uapi/linux-$version"

unpack() {
    [ -f "$tree/.jvfio-unpacked" ] && return 0
    local tarball
    tarball=$(ls /usr/src/"$JVFIO_KERNEL_PACKAGE".tar.* 2>/dev/null | head -n 1)
    [ -n "$tarball" ] || die "no /usr/src/$JVFIO_KERNEL_PACKAGE.tar.* although $JVFIO_KERNEL_PACKAGE is installed"
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
