#!/usr/bin/env bash
# Builds the guest kernel (bzImage) of the lane JVFIO_KERNEL (6.12 or 7.2) from its Debian source
# package with scripts/guest/kernel.config plus the lane's kernel-LANE.config, and prints its path.
# Cached under ~/.cache/jvfio/kernel/ by source version + a hash of the two fragments and of the
# recipe (the build function below): a changed recipe builds anew instead of reusing a stale kernel.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

check_kernel_lane "$JVFIO_KERNEL"
fragments=("$JVFIO_ROOT/scripts/guest/kernel.config" "$JVFIO_ROOT/scripts/guest/kernel-$JVFIO_KERNEL.config")
ensure_packages bc bison flex libelf-dev libssl-dev cpio make gcc
tree=$("$JVFIO_ROOT/scripts/guest/kernel-source.sh" --kernel "$JVFIO_KERNEL" --tree)
version=$(basename "$tree")

build() {
    [ -f "$out/.jvfio-built" ] && return 0
    log "building guest kernel $key (5 to 12 minutes on 2 cores, a progress line every 30 s; cached afterwards)"
    rm -rf "$out"
    mkdir -p "$out"
    local start=$SECONDS
    make -s -C "$tree" O="$out" ARCH=x86_64 tinyconfig >/dev/null
    local enable disable args=() o
    enable=$(cat "${fragments[@]}" | grep -E '^[A-Z0-9_]+=y$' | cut -d= -f1)
    disable=$(cat "${fragments[@]}" | grep -E '^[A-Z0-9_]+=n$' | cut -d= -f1)
    for o in $enable; do args+=(--enable "$o"); done
    for o in $disable; do args+=(--disable "$o"); done
    # Twice: some options only become visible once others are set.
    "$tree/scripts/config" --file "$out/.config" "${args[@]}"
    make -s -C "$tree" O="$out" ARCH=x86_64 olddefconfig >/dev/null
    "$tree/scripts/config" --file "$out/.config" "${args[@]}"
    make -s -C "$tree" O="$out" ARCH=x86_64 olddefconfig >/dev/null
    local missing=()
    for o in $enable; do
        grep -qx "CONFIG_$o=y" "$out/.config" || missing+=("$o")
    done
    for o in $disable; do
        grep -qx "CONFIG_$o=y" "$out/.config" && missing+=("!$o")
    done
    [ ${#missing[@]} -eq 0 ] || die "guest kernel config: options not set after olddefconfig: ${missing[*]}"
    run_logged_with_progress "guest kernel build" '^  CC ' "files compiled" \
        make -C "$tree" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage || die "guest kernel build failed"
    # Keep only what running and rebuilding-checks need; the object tree is large.
    find "$out" -name '*.o' -delete
    touch "$out/.jvfio-built"
    log "guest kernel built in $((SECONDS - start)) s: $image"
}

key="$version-$({ cat "${fragments[@]}"; declare -f build; } | sha256sum | cut -c1-12)"
out="$JVFIO_CACHE/kernel/$key"
image="$out/arch/x86/boot/bzImage"

with_lock "kernel-$key" build
prune_kernel_versions "$JVFIO_KERNEL" "$version"
echo "$image"
