#!/usr/bin/env bash
# Builds the guest's initramfs (busybox-static + scripts/guest/init) and prints its path.
# Cached under ~/.cache/jvfio/initramfs by a hash of the init script, the busybox binary and the
# recipe (the build function below).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

ensure_packages busybox-static cpio
init="$JVFIO_ROOT/scripts/guest/init"
busybox=/bin/busybox

build() {
    [ -f "$image" ] && return 0
    local dir
    dir=$(mktemp -d)
    mkdir -p "$dir"/{bin,dev,proc,sys,host,tmp}
    cp "$busybox" "$dir/bin/busybox"
    ln -s busybox "$dir/bin/sh"
    install -m 0755 "$init" "$dir/init"
    mkdir -p "$(dirname "$image")"
    (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -9) >"$image.tmp"
    mv "$image.tmp" "$image"
    rm -rf "$dir"
    log "initramfs built: $image"
}

key=$({ cat "$init" "$busybox"; declare -f build; } | sha256sum | cut -c1-16)
image="$JVFIO_CACHE/initramfs/initramfs-$key.cpio.gz"

with_lock "initramfs-$key" build
echo "$image"
