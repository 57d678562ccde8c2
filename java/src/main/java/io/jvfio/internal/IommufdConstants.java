package io.jvfio.internal;

/** Constants and struct layouts of native/src/iommufd.c. */
public final class IommufdConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("iommufd.c", IommufdNative.constants());

    private IommufdConstants() {}
}
