package io.jvfio.internal;

/** Constants and struct layouts of native/src/iommufd_mock.c. */
public final class IommufdMockConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("iommufd_mock.c", IommufdMockNative.constants());

    private IommufdMockConstants() {}
}
