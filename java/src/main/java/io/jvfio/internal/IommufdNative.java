package io.jvfio.internal;

/** Natives of native/src/iommufd.c; constants in {@link IommufdConstants}. Natives only (see {@link UnixNative}). */
public final class IommufdNative {
    private IommufdNative() {}

    public static native String constants();
}
