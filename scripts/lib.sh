# Shared helpers for jvfio's scripts. Sourced, never run.
# Everything expensive (kernel tree, UAPI headers, guest kernel, initramfs) lives under one cache
# so that a second run, or a second checkout, reuses it.

JVFIO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JVFIO_CACHE=${JVFIO_CACHE:-$HOME/.cache/jvfio}
# The kernel line the guest and the UAPI headers come from (Debian package name).
JVFIO_KERNEL_PACKAGE=${JVFIO_KERNEL_PACKAGE:-linux-source-6.12}

log() { printf '[jvfio %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a noisy command with its output in a temporary log. On success the log is deleted; on
# failure it is kept, its tail is printed and its path named, and the command's status returned.
#   run_logged WHAT COMMAND [ARGS...]      (WHAT names the step in messages and in the log's name)
run_logged() {
    local what=$1 file status=0
    shift
    file=$(mktemp "${TMPDIR:-/tmp}/jvfio-${what//[^A-Za-z0-9]/-}.XXXXXX.log")
    "$@" >"$file" 2>&1 || status=$?
    if [ "$status" -eq 0 ]; then
        rm -f "$file"
        return 0
    fi
    tail -n 40 "$file" >&2
    log "$what failed with status $status; its full log is kept in $file"
    return "$status"
}

# Installs Debian packages that are missing; apt-get update runs at most once per call.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]}; install them as root (apt-get install ${missing[*]})"
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
        || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
        || die "apt-get install ${missing[*]} failed"
}

# The version of the installed kernel source package, e.g. 6.12.117-1~deb12u1.
kernel_package_version() {
    dpkg-query -W -f='${Version}' "$JVFIO_KERNEL_PACKAGE"
}

# Takes an exclusive lock on a cache entry so two builds never write the same tree.
with_lock() {
    local name=$1; shift
    mkdir -p "$JVFIO_CACHE/locks"
    (
        flock 9
        "$@"
    ) 9>"$JVFIO_CACHE/locks/$name.lock"
}

# What building and booting the guest needs: QEMU, busybox for the initramfs, the kernel source and
# its build tools.
ensure_guest_packages() {
    ensure_packages qemu-system-x86 busybox-static "$JVFIO_KERNEL_PACKAGE" bc bison flex libelf-dev libssl-dev cpio make gcc
}
