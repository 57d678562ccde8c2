package io.jvfio.internal;

/** Natives of native/src/vfio.c; constants in {@link VfioConstants}. Natives only (see {@link UnixNative}). */
public final class VfioNative {
    private VfioNative() {}

    public static native String constants();
}
