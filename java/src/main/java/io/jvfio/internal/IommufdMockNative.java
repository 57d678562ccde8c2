package io.jvfio.internal;

/** Natives of native/src/iommufd_mock.c; constants in {@link IommufdMockConstants}. Natives only (see {@link UnixNative}). */
public final class IommufdMockNative {
    private IommufdMockNative() {}

    public static native String constants();
}
