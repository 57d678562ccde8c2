#!/usr/bin/env bash
# Builds the JNI shim against the UAPI headers of the 7.2 kernel source (JVFIO_UAPI_KERNEL, whatever
# lane the guest boots), so struct layouts and ioctl numbers are the kernel's own. kernel-source.sh
# installs linux-source-7.2 first when it is missing.
# Usage: scripts/build-native.sh OUT_DIR [JAVA_HOME [OBJ_DIR [LIBRARY]]]  (objects default to OUT_DIR/../native-obj)
# LIBRARY is jvfio (the shim, the default) or jvfio-testing (native/testing, for the jvfio-testing artifact).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: build-native.sh OUT_DIR [JAVA_HOME]}
java_home=${2:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}}
[ -f "$java_home/include/jni.h" ] || die "no jni.h under $java_home/include: point JAVA_HOME at a JDK"

headers=$("$JVFIO_ROOT/scripts/guest/kernel-source.sh" --kernel "$JVFIO_UAPI_KERNEL")
tree=$("$JVFIO_ROOT/scripts/guest/kernel-source.sh" --kernel "$JVFIO_UAPI_KERNEL" --tree)
obj=${3:-$out/../native-obj}
library=${4:-jvfio}
mkdir -p "$out" "$obj"
out=$(cd "$out" && pwd)
obj=$(cd "$obj" && pwd)
make -s -C "$JVFIO_ROOT/native" UAPI_INCLUDE="$headers/include" KERNEL_TREE="$tree" \
    JAVA_HOME="$java_home" OUT="$out" OBJDIR="$obj" -j"$(nproc)" "$library"
ls "$out"/lib"$library"-linux-*.so >/dev/null || die "the native build left no lib$library-linux-*.so in $out"
