# Shared helpers for jvfio's scripts. Sourced, never run.
# Everything expensive (kernel tree, UAPI headers, guest kernel, initramfs) lives under one cache
# so that a second run, or a second checkout, reuses it.

JVFIO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JVFIO_CACHE=${JVFIO_CACHE:-$HOME/.cache/jvfio}
# The guest kernel's lane: 6.12 (the default, Debian 12's linux-source-6.12 from bookworm-security)
# or 7.2 (linux-source-7.2 from trixie-backports). Each lane's source, headers and kernel are cached
# side by side, keyed by the package version.
JVFIO_KERNEL=${JVFIO_KERNEL:-6.12}
# The lane whose UAPI headers the native shim is compiled against, whatever lane the guest boots: the
# newest, so the shim knows every ioctl either kernel may have; what the running kernel lacks is
# refused at run time with the version that added it (io.jvfio.KernelFeature).
JVFIO_UAPI_KERNEL=7.2

# The JDK of the `java` on the PATH (callers let JAVA_HOME win where it should).
path_java_home() { dirname "$(dirname "$(readlink -f "$(command -v java)")")"; }
log() { printf '[jvfio %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a noisy command with its output in a temporary log. On success the log is deleted; on
# failure it is kept, its tail is printed and its path named, and the command's status returned.
#   run_logged WHAT COMMAND [ARGS...]      (WHAT names the step in messages and in the log's name)
run_logged() {
    local what=$1
    shift
    run_logged_with_progress "$what" "" "" "$@"
}

# Runs Maven, and again after a pause when it could not download something. .mvn/maven.config has
# Maven's HTTP client retry a dropped connection and 408/429/5xx answers by itself; this is for what
# it never retries: an unknown host, a refused connection or a TLS handshake that did not verify
# (a fresh image build once failed on Central with "PKIX path building failed"). Any other failure
# returns at once. At most 3 runs; later ones add -U, so that a failure cached in ~/.m2 is retried.
#   mvn_retrying MAVEN_ARGS...
mvn_retrying() {
    local - attempt=1 output status
    set -o pipefail
    output=$(mktemp "${TMPDIR:-/tmp}/jvfio-mvn.XXXXXX.log")
    while :; do
        status=0
        mvn $([ "$attempt" -gt 1 ] && echo -U) "$@" 2>&1 | tee "$output" || status=$?
        if [ "$status" -eq 0 ] || [ "$attempt" -ge 3 ] \
            || ! grep -qE 'Could not transfer (artifact|metadata)' "$output"; then
            rm -f "$output"
            return "$status"
        fi
        log "Maven could not download an artifact (run $attempt of 3); running it again in $((attempt * 30)) s"
        sleep $((attempt * 30))
        attempt=$((attempt + 1))
    done
}

# apt-get, waiting up to 10 minutes for the dpkg lock: on a fresh VM, unattended-upgrades or apt's
# daily timer often holds it while the first run starts, and apt-get would fail at once.
apt_get() {
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# apt-get update, again after a pause when it fails (a mirror answering badly for a moment); at most
# 3 failed runs. While another apt holds the lists lock (apt's daily timer on a fresh VM) it waits up
# to 10 minutes, as apt_get does for the dpkg lock: apt-get update fails at once on that lock, whatever
# DPkg::Lock::Timeout says.
apt_update() {
    local attempt=1 waited=0 err
    err=$(mktemp)
    while :; do
        if apt_get update -qq >/dev/null 2>"$err"; then
            rm -f "$err"
            return 0
        fi
        if grep -q 'Could not get lock /var/lib/apt/lists/lock' "$err" && [ "$waited" -lt 600 ]; then
            [ "$waited" -gt 0 ] || log "apt-get update waits for the apt lists lock: $(grep -m1 'held by' "$err" || true)"
            sleep 10
            waited=$((waited + 10))
            continue
        fi
        if [ "$attempt" -ge 3 ]; then
            cat "$err" >&2
            rm -f "$err"
            return 1
        fi
        log "apt-get update failed (run $attempt of 3): $(head -c 300 "$err"); running it again in $((attempt * 20)) s"
        sleep $((attempt * 20))
        attempt=$((attempt + 1))
    done
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
    apt_update || die "apt-get update failed"
    # Its output into a file, not the caller's pipe: a runner that stops lets the install finish
    # (HarnessProcesses), and a write into a pipe whose reader is gone would end it all the same.
    local err
    err=$(mktemp)
    if ! apt_get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>"$err"; then
        cat "$err" >&2
        rm -f "$err"
        die "apt-get install ${missing[*]} failed"
    fi
    rm -f "$err"
}

# The lanes the scripts know; anything else in JVFIO_KERNEL is a mistake worth stopping for.
check_kernel_lane() {
    case "$1" in
        6.12|7.2) ;;
        *) die "unknown kernel lane '$1' (the lanes are 6.12 and 7.2; --kernel or JVFIO_KERNEL picks one)" ;;
    esac
}

# The Debian package that carries a lane's source, e.g. linux-source-6.12.
kernel_package() {
    check_kernel_lane "$1"
    echo "linux-source-$1"
}

# The version of a lane's installed source package, e.g. 6.12.117-1~deb12u1.
kernel_package_version() {
    dpkg-query -W -f='${Version}' "$(kernel_package "$1")"
}

# Installs a lane's kernel source package when it is missing. 6.12 is in Debian 12 itself; 7.2 only
# in trixie-backports, added as a source of our own that apt never takes anything else from.
ensure_kernel_source() {
    local package
    package=$(kernel_package "$1")
    if [ "$1" = 7.2 ] && ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        ensure_trixie_backports
    fi
    ensure_packages "$package"
}

# Adds Debian's trixie-backports to apt's sources for linux-source-7.2 (architecture all, needing only
# binutils and xz-utils, so it installs on Debian 12). A pin keeps everything else in that suite out:
# no upgrade and no dependency ever comes from it, only the one package asked for by name. The source
# and the pin are the files in scripts/apt/, which the Dockerfile installs too.
ensure_trixie_backports() {
    grep -qsE '^[^#]*trixie-backports' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources && return 0
    [ "$(id -u)" -eq 0 ] || die "linux-source-7.2 is in Debian's trixie-backports, which apt does not know here; add it and install the package as root"
    command -v apt-get >/dev/null || die "linux-source-7.2 comes from Debian's trixie-backports, and this system has no apt"
    log "adding Debian's trixie-backports to apt's sources, pinned so that only linux-source-7.2 comes from it"
    install -m 0644 "$JVFIO_ROOT/scripts/apt/trixie-backports.pref" /etc/apt/preferences.d/jvfio-trixie-backports
    install -m 0644 "$JVFIO_ROOT/scripts/apt/trixie-backports.sources" /etc/apt/sources.list.d/jvfio-trixie-backports.sources
    apt_update || die "apt-get update failed after adding trixie-backports"
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

# Removes what the cache holds of other Debian versions of a lane's source package: its unpacked
# tree (about 1.7 GB), UAPI headers and guest kernels. apt keeps one version of linux-source-LANE
# installed and the tree is unpacked from it, so an older version is never used again; without this
# every security update of the lane left another 2 GB behind. One that a run holds locked (unpacking,
# building) is left for a later run to remove.
#   prune_kernel_versions LANE CURRENT   (CURRENT: the tree's name, e.g. linux-6.12.118-1_deb12u1)
prune_kernel_versions() {
    local lane=$1 current=$2 d name lock
    mkdir -p "$JVFIO_CACHE/locks"
    for d in "$JVFIO_CACHE"/src/linux-"$lane".* "$JVFIO_CACHE"/uapi/linux-"$lane".* "$JVFIO_CACHE"/kernel/linux-"$lane".*; do
        [ -e "$d" ] || continue
        name=$(basename "$d")
        case "$name" in "$current" | "$current"-* | "$current".*) continue ;; esac
        case "$d" in
            */src/*) lock="src-${name#linux-}" ;;
            */uapi/*) lock="uapi-${name#linux-}" ;;
            *) lock="kernel-$name" ;;
        esac
        lock=${lock%.tmp}
        lock=${lock%.build}
        (
            flock -n 9 || exit 0
            log "removing $d: $name is not the installed linux-source-$lane any more"
            rm -rf "$d"
        ) 9>"$JVFIO_CACHE/locks/$lock.lock"
    done
}

# What building and booting the guest needs: QEMU, busybox for the initramfs, the source of the
# guest's lane and of the shim's UAPI headers, and the kernel build tools.
ensure_guest_packages() {
    ensure_qemu
    ensure_kernel_source "$JVFIO_UAPI_KERNEL"
    ensure_kernel_source "$JVFIO_KERNEL"
    ensure_packages busybox-static bc bison flex libelf-dev libssl-dev cpio make gcc
}

# The QEMU on the PATH, e.g. "QEMU 10.0.2".
qemu_version() {
    printf 'QEMU %s' "$(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version \([0-9.]*\).*/\1/p')"
}

qemu_major() {
    local v
    v=$(qemu_version)
    v=${v#QEMU }
    echo "${v%%.*}"
}

# The QEMU the scripts install on Debian 12 (bookworm-backports); Debian 12's own is 7.2.
JVFIO_QEMU_MIN=10

# QEMU 10.0 from bookworm-backports on Debian 12; any other system keeps its distribution's QEMU.
ensure_qemu() {
    if command -v qemu-system-x86_64 >/dev/null && [ "$(qemu_major)" -ge "$JVFIO_QEMU_MIN" ]; then
        return 0
    fi
    local codename
    codename=$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || codename=
    if [ "$codename" = bookworm ] && [ "$(id -u)" -eq 0 ]; then
        if ! grep -rqsE '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
            log "adding Debian's bookworm-backports to apt's sources (for QEMU 10.0; backports are never installed unless asked for)"
            printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                >/etc/apt/sources.list.d/jvfio-bookworm-backports.sources
        fi
        log "installing QEMU from bookworm-backports"
        if apt_update && apt_get install -y -qq --no-install-recommends -t bookworm-backports qemu-system-x86 >/dev/null; then
            return 0
        fi
        log "warning: QEMU from bookworm-backports could not be installed; falling back to Debian 12's QEMU 7.2"
    fi
    ensure_packages qemu-system-x86
}

# How TCG runs the guest's two vCPUs: on one host thread (single), because with one host thread per
# vCPU (multi) guest JVMs crash now and then, under QEMU 7.2 and 10.0 alike (README, "Which QEMU").
# JVFIO_TCG_THREAD=multi opts in to the faster, unreliable mode.
tcg_threading() {
    echo "${JVFIO_TCG_THREAD:-single}"
}

# Prints to stderr the head of each hs_err file in DIR newer than DIR/.guest-start (up to the
# problematic frame), so that the crash is readable even where DIR does not survive (a container).
print_jvm_crash_heads() {
    local dir=$1 f
    for f in "$dir"/hs_err_pid*.log; do
        [ -f "$f" ] && [ "$f" -nt "$dir/.guest-start" ] || continue
        log "head of $f:"
        # sed stops by itself: `| head` would end it with SIGPIPE, which pipefail and set -e turn
        # into an exit before the guest's status is reported (an hs_err file with no frame line).
        sed -n '1,/^# Problematic frame:/p;30q' "$f" >&2
        grep -m1 -A1 '^# Problematic frame:' "$f" | tail -n 1 >&2 || true
    done
}

# Prints, for each hs_err file in DIR newer than DIR/.guest-start, "; JVM crash: FILE (FRAME)" so that a
# failure message names the crash; prints nothing when no JVM crashed.
report_jvm_crashes() {
    local dir=$1 f frame
    for f in "$dir"/hs_err_pid*.log; do
        [ -f "$f" ] && [ "$f" -nt "$dir/.guest-start" ] || continue
        frame=$(grep -m1 -A1 '^# Problematic frame:' "$f" | tail -n 1 | sed 's/^# *//')
        printf '; JVM crash: %s (%s)' "$f" "${frame:-no problematic frame recorded}"
    done
}

# Runs a long, noisy command like run_logged, printing a progress line every 30 s: how many lines of
# its output match PATTERN so far (e.g. files compiled) and the time elapsed. No PATTERN, no lines.
#   run_logged_with_progress WHAT PATTERN UNIT COMMAND [ARGS...]
run_logged_with_progress() {
    local what=$1 pattern=$2 unit=$3 file status=0 pid start=$SECONDS next=30 signal=
    shift 3
    file=$(mktemp "${TMPDIR:-/tmp}/jvfio-${what//[^A-Za-z0-9]/-}.XXXXXX.log")
    "$@" >"$file" 2>&1 &
    pid=$!
    # || true: the child may have died of the same signal already (sent to the whole group), and a
    # failed kill under set -e would end the shell with status 1 before the signal is passed on.
    trap 'signal=INT; kill "$pid" 2>/dev/null || true' INT
    trap 'signal=TERM; kill "$pid" 2>/dev/null || true' TERM
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        if [ -n "$pattern" ] && [ $((SECONDS - start)) -ge "$next" ]; then
            log "$what: $(grep -c -- "$pattern" "$file") $unit so far, $((SECONDS - start)) s elapsed"
            next=$((next + 30))
        fi
    done
    wait "$pid" || status=$?
    trap - INT TERM
    if [ -n "$signal" ]; then
        # Interrupted: end the way the signal ends a shell, not with a status a caller may read as
        # "this step failed, go on without it" (the container test would skip and run the suites).
        log "$what interrupted (SIG$signal); its log so far is kept in $file"
        kill -s "$signal" "$BASHPID"
    fi
    if [ "$status" -eq 0 ]; then
        rm -f "$file"
        return 0
    fi
    tail -n 40 "$file" >&2
    log "$what failed with status $status; its full log is kept in $file"
    return "$status"
}
