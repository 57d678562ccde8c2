package io.jvfio.internal;

/** Natives of native/src/fault.c; constants in {@link FaultConstants}. Natives only (see {@link UnixNative}). */
public final class FaultNative {
    private FaultNative() {}

    public static native String constants();
}
