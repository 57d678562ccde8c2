#!/usr/bin/env bash
# Boots the jvfio test guest under QEMU and runs one command in it, as root, in a chroot of the host
# root (same absolute paths; the host root is read-only, /tmp is a tmpfs, --out DIR is writable).
# Exits with the command's status; the serial console is kept in DIR/serial.log, the guest kernel's
# release (uname -r) in DIR/kernel-release. The kernel is the lane JVFIO_KERNEL's (6.12 or 7.2): built
# and cached, or prebuilt under JVFIO_GUEST_DIR (LANE/bzImage beside one initramfs.cpio.gz, as the
# container image ships them); JVFIO_GUEST_KERNEL and JVFIO_GUEST_INITRAMFS name images that override both.
#
#   scripts/guest/guest-exec.sh [--profile vfio|iopf] [--timeout SEC] [--boot-timeout SEC] [--out DIR]
#                               [--memory SIZE] [--devices NAME,...] [--append KERNEL_ARGS] [--share DIR]...
#                               [--stop-with-parent] -- CMD ARGS...
#
# --stop-with-parent: stop the guest once the process that started this script is gone (it was
# re-parented), for a starter that a kill -9 may take down without a word (a test JVM): the guest
# would run on, orphaned, until its timeout. jvfio's JUnit runner and `jvfio demo` pass it.
#
# --timeout bounds the whole run; --boot-timeout (default 300 s, at most --timeout) the boot alone: a
# guest whose init has not said JVFIO-GUEST-READY by then (a bad kernel argument, a kernel that sits
# in a rescue shell) is stopped and reported as unbootable at once, not after the whole --timeout.
#
# Profiles: vfio = q35 with an Intel vIOMMU (interrupt remapping on); iopf = the same machine booted
# with intel_iommu=off, because the 6.12 iommufd selftest mock (the only fault source) refuses to
# bind while VT-d is active. Devices (all by default, --devices picks some) at fixed addresses:
# e1000e 00:03.0, edu 00:04.0, nvme 00:05.0, and non-viable-pair, a two-function slot, 00:08.0
# virtio-rng with an edu at 00:08.1: one IOMMU group that virtio-pci makes non-viable. (An Intel RCiEP
# such as the e1000e counts as ACS-isolated, so it cannot share a group.) jvfio-testing's GuestDevice
# names the same devices and addresses; GuestDeviceTest holds the two together. --append adds kernel
# command line arguments to the harness's own.
#
# The guest mounts tmpfs of its own on /tmp, /run and /dev/shm, which hide the host's. --share DIR
# (repeatable, at most 8) shares a host directory under them read-only at the same path, mounted
# after the tmpfs: a project built under /tmp, say. A checkout of jvfio under them shares itself.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

profile=vfio timeout=600 boot_timeout=300 out= memory=2G devices=e1000e,edu,nvme,non-viable-pair append= shares=()
stop_with_parent=
while [ $# -gt 0 ]; do
    case "$1" in
        --profile|--timeout|--boot-timeout|--out|--memory|--devices|--append|--share)
            [ $# -ge 2 ] || die "guest-exec.sh: $1 needs a value (see the usage at the top of $0)" ;;
    esac
    case "$1" in
        --profile) profile=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --boot-timeout) boot_timeout=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --memory) memory=$2; shift 2 ;;
        --devices) devices=$2; shift 2 ;;
        --append) append=$2; shift 2 ;;
        --share) shares+=("$2"); shift 2 ;;
        --stop-with-parent) stop_with_parent=1; shift ;;
        --) shift; break ;;
        *) die "guest-exec.sh: unknown option $1 (see the usage at the top of $0)" ;;
    esac
done
[ $# -gt 0 ] || die "guest-exec.sh: no command given (usage: guest-exec.sh [options] -- CMD ARGS...)"
# --out goes on the kernel command line and into QEMU's -fsdev: checked as given, before the kernel
# build, and again once resolved (a relative path takes the working directory's).
refuse_split_path() {
    case "$1" in
        *[[:space:],]*) die "guest-exec.sh: --out $1: a blank or a comma in the path would split the guest's kernel"\
" command line and QEMU's -fsdev; choose a directory without (the JUnit extension's: -Djvfio.guest.out=DIR)" ;;
    esac
}
refuse_split_path "$out"
# no_timer_check: at boot the kernel counts timer ticks across a TSC-timed delay; on a loaded host
# TCG can deliver too few, and with interrupt remapping on that is a panic ("timer doesn't work
# through Interrupt-remapped IO-APIC", seen once in the vfio guest while the host was compiling).
cmdline_timer=no_timer_check
case "$profile" in
    vfio) cmdline_iommu="intel_iommu=on iommu=nopt" ;;
    iopf) cmdline_iommu="intel_iommu=off" ;;
    *) die "guest-exec.sh: unknown profile '$profile' (vfio or iopf)" ;;
esac
# Each device's QEMU arguments, at the address the tests expect it (one line each: GuestDeviceTest reads them).
device_args=()
for device in ${devices//,/ }; do
    case "$device" in
        e1000e) device_args+=(-device e1000e,addr=03.0,romfile=) ;;
        edu) device_args+=(-device edu,addr=04.0) ;;
        nvme) device_args+=(-blockdev driver=null-co,node-name=nvm0 -device nvme,serial=jvfio,drive=nvm0,addr=05.0) ;;
        non-viable-pair) device_args+=(-device virtio-rng-pci,addr=08.0,multifunction=on -device edu,addr=08.1,multifunction=on) ;;
        *) die "guest-exec.sh: unknown device '$device' (e1000e, edu, nvme or non-viable-pair)" ;;
    esac
done

[ -n "${JVFIO_GUEST_KERNEL:-}" ] || check_kernel_lane "$JVFIO_KERNEL"

ensure_qemu
# A prebuilt guest skips the kernel and initramfs builds. The initramfs is the same for every lane.
guest_dir=${JVFIO_GUEST_DIR:-}
if [ -n "${JVFIO_GUEST_KERNEL:-}" ]; then
    kernel=$JVFIO_GUEST_KERNEL
    kernel_said="JVFIO_GUEST_KERNEL=$kernel"
elif [ -n "$guest_dir" ]; then
    kernel="$guest_dir/$JVFIO_KERNEL/bzImage"
    [ -f "$kernel" ] || die "the prebuilt guests in JVFIO_GUEST_DIR=$guest_dir have no Linux $JVFIO_KERNEL kernel ($kernel is missing)"
    kernel_said="Linux $JVFIO_KERNEL from $kernel"
else
    kernel=$("$JVFIO_ROOT/scripts/guest/build-guest-kernel.sh")
    kernel_said="Linux $JVFIO_KERNEL"
fi
if [ -n "${JVFIO_GUEST_INITRAMFS:-}" ]; then
    initramfs=$JVFIO_GUEST_INITRAMFS
elif [ -n "$guest_dir" ]; then
    initramfs="$guest_dir/initramfs.cpio.gz"
    [ -f "$initramfs" ] || die "no guest initramfs at $initramfs (JVFIO_GUEST_DIR=$guest_dir)"
else
    initramfs=$("$JVFIO_ROOT/scripts/guest/make-initramfs.sh")
fi

[ -n "$out" ] || out=$(mktemp -d /tmp/jvfio-guest.XXXXXX)
mkdir -p "$out"
out=$(cd "$out" && pwd)
refuse_split_path "$out"
run="$out/guest-run.sh"
# POSIX single quotes for the guest's /bin/sh (dash): bash's %q may write $'...' for non-ASCII bytes,
# which dash takes literally.
sq() {
    local s=${1//\'/\'\\\'\'}
    printf "'%s'" "$s"
}
{
    echo "cd $(sq "$PWD") 2>/dev/null || cd /"
    # C.UTF-8: without a locale the guest's JVM decodes file names and arguments as ASCII.
    echo "export HOME=/tmp LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    [ -n "${JAVA_HOME:-}" ] && echo "export JAVA_HOME=$(sq "$JAVA_HOME")"
    echo "uname -r >$(sq "$out/kernel-release")"
    for arg in "$@"; do
        printf '%s ' "$(sq "$arg")"
    done
    echo
    # A JVM that crashes writes hs_err_pid*.log into its working directory, or /tmp when that is not
    # writable (the shared root is read-only); the guest's /tmp dies with the guest, so keep them.
    echo 'status=$?'
    echo "for f in /tmp/hs_err_pid*.log /tmp/replay_pid*.log; do [ -f \"\$f\" ] && cp \"\$f\" $(sq "$out")/; done"
    echo 'exit $status'
} >"$run"

if [ -w /dev/kvm ] && [ "${JVFIO_KVM:-0}" = 1 ]; then
    accel=kvm
else
    accel="tcg,thread=$(tcg_threading)"
    if [ "${JVFIO_KVM:-0}" = 1 ]; then
        log "JVFIO_KVM=1, but /dev/kvm is not writable here (in a container: --device /dev/kvm): using TCG, $(qemu_version)"
    else
        log "using TCG, $(qemu_version), thread=${accel#tcg,thread=} (set JVFIO_KVM=1 to try KVM; it is unreliable on this machine kind)"
    fi
fi

serial="$out/serial.log"
iommu_device=()
[ "$profile" = vfio ] && iommu_device=(-device intel-iommu,intremap=on)
# Each share is a 9p device of its own, from slot 0b on (slot 0a stays empty: the tests use it as the
# address of a device that does not exist), named on the kernel command line as jvfio.share=TAG:DIR
# for init to mount. A directory under another share is seen through it.
case "$JVFIO_ROOT/" in
    /tmp/*|/run/*|/dev/shm/*) shares+=("$JVFIO_ROOT") ;;
esac
share_args=() share_cmdline= shared=()
for dir in ${shares[@]+"${shares[@]}"}; do
    case "$dir" in
        *[[:space:],:]*) die "guest-exec.sh: --share '$dir': a shared directory's path may hold no blank, comma or colon"\
" (it goes on the kernel command line and into QEMU's options); build somewhere else" ;;
    esac
done
# Shortest first, so that a directory under another share is left to it whatever the order given.
for dir in $(for d in ${shares[@]+"${shares[@]}"}; do echo "${#d} $d"; done | sort -n | cut -d' ' -f2-); do
    [ -d "$dir" ] || die "guest-exec.sh: --share $dir: no such directory"
    dir=$(cd "$dir" && pwd)
    case "$dir/" in
        /tmp/?*|/run/?*|/dev/shm/?*) ;;
        *) die "guest-exec.sh: --share $dir: only a directory under /tmp, /run or /dev/shm needs a share (the guest sees"\
" the rest through its root), and sharing one of those three whole would hide the guest's own" ;;
    esac
    seen=
    for other in ${shared[@]+"${shared[@]}"}; do
        case "$dir/" in "$other"/*) seen=1 ;; esac
    done
    [ -z "$seen" ] || continue
    k=${#shared[@]}
    shared+=("$dir")
    share_args+=(-fsdev "local,id=share$k,path=$dir,security_model=none,readonly=on,multidevs=remap"
        -device "virtio-9p-pci,fsdev=share$k,mount_tag=share$k,addr=$(printf '%02x' $((11 + k))).0")
    share_cmdline+=" jvfio.share=share$k:$dir"
done
[ ${#shared[@]} -le 8 ] || die "guest-exec.sh: ${#shared[@]} directories to share (${shared[*]}), and a guest takes at"\
" most 8: build under fewer directories of /tmp, /run and /dev/shm"
cmdline="console=ttyS0 panic=-1 quiet loglevel=4 $cmdline_timer $cmdline_iommu $append jvfio.run=$run jvfio.out=$out$share_cmdline"
# x86 cuts the kernel command line at 2048 bytes, and init reads the shares from its end.
[ ${#cmdline} -lt 2048 ] || die "guest-exec.sh: the kernel command line would be ${#cmdline} bytes, over x86's 2048: shorten"\
" --out ($out), the shared directories' paths or --append"
touch "$out/.guest-start"
rm -f "$out/kernel-release"
log "booting the $profile guest on $kernel_said (timeout ${timeout}s, serial log $serial)"
start=$SECONDS
set +e
# In the background, so that a Ctrl-C here reaches QEMU: timeout runs it in a process group of its
# own, which the terminal's SIGINT would miss, leaving the guest running for up to --timeout.
timeout --kill-after=10 "$timeout" qemu-system-x86_64 \
    -M q35,kernel-irqchip=split -accel "$accel" -cpu max -m "$memory" -smp 2 \
    -nographic -no-reboot -nic none \
    "${iommu_device[@]}" \
    "${device_args[@]}" \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot,addr=06.0 \
    -fsdev local,id=hostout,path="$out",security_model=none,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostout,mount_tag=hostout,addr=07.0 \
    ${share_args[@]+"${share_args[@]}"} \
    -kernel "$kernel" -initrd "$initramfs" \
    -append "$cmdline" \
    </dev/null >"$serial" 2>&1 &
qemu=$!
trap 'kill "$qemu" 2>/dev/null' INT TERM
# The console's last words (160 characters), leaving out QEMU's own on the way out.
console_last_line() {
    local line
    line=$(tr -d '\r' <"$serial" | grep -v -e '^[[:space:]]*$' -e '^qemu-system-x86_64: ' | tail -n 1 | cut -c1-160 || true)
    echo "${line:-nothing}"
}

# Until init says READY, watch the boot: a guest that cannot boot is stopped after --boot-timeout.
unbootable=
while kill -0 "$qemu" 2>/dev/null && ! grep -q JVFIO-GUEST-READY "$serial"; do
    # -gt: SECONDS counts whole seconds, so -ge could give up on a 1 s boot timeout after a few milliseconds.
    if [ $((SECONDS - start)) -gt "$boot_timeout" ]; then
        unbootable=$(console_last_line)
        kill "$qemu" 2>/dev/null
        break
    fi
    sleep 1
done
# Then until it ends, with --stop-with-parent: once the starter is gone (this script was re-parented),
# stop the guest. Kill first: the log line may go to a pipe no one reads any more, and die there.
while [ -n "$stop_with_parent" ] && kill -0 "$qemu" 2>/dev/null; do
    read -r _ _ _ parent_now _ </proc/$$/stat
    if [ "$parent_now" != "$PPID" ]; then
        kill "$qemu" 2>/dev/null
        log "the process that started this guest (pid $PPID) is gone: stopped the guest" || true
        break
    fi
    sleep 0.5
done
wait "$qemu"
qemu_status=$?
trap - INT TERM
set -e
if [ -z "$unbootable" ] && [ "$qemu_status" = 124 ] && ! grep -q JVFIO-GUEST-READY "$serial"; then
    # --timeout ran out before --boot-timeout did: what the guest did not do is boot.
    boot_timeout=$timeout
    unbootable=$(console_last_line)
fi

status=$(sed -n 's/.*JVFIO-GUEST-EXIT=\([0-9]*\).*/\1/p' "$serial" | tail -n 1)
crashes=$(report_jvm_crashes "$out")
[ -z "$crashes" ] || print_jvm_crash_heads "$out"
if [ -z "$status" ]; then
    tail -n 40 "$serial" >&2
    [ -z "$unbootable" ] || die "the $profile guest did not boot in ${boot_timeout}s: its init never reported JVFIO-GUEST-READY;"\
" its console ended with: '$unbootable' (kernel arguments added: ${append:-none}; serial log: $serial)"
    [ "$qemu_status" = 124 ] && die "the $profile guest timed out after ${timeout}s (serial log: $serial)$crashes"
    die "the $profile guest ended without reporting a status (QEMU exit $qemu_status; serial log: $serial)$crashes"
fi
if [ -n "$crashes" ]; then
    log "the $profile guest finished in $((SECONDS - start)) s with status $status, and a JVM in it crashed$crashes"
    [ "$status" != 0 ] || status=134
    exit "$status"
fi
log "the $profile guest finished in $((SECONDS - start)) s with status $status"
exit "$status"
