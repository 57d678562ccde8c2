package io.jvfio.internal;

/** Constants of native/src/iommufd_mock.c (from the kernel tree's iommufd_test.h). */
public final class IommufdMockConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("iommufd_mock.c", IommufdMockNative.constants());

    public static final int HWPT_DATA_SELFTEST = C.getInt("IOMMU_HWPT_DATA_SELFTEST");
    public static final int IOTLB_DEFAULT = C.getInt("IOMMU_TEST_IOTLB_DEFAULT");
    public static final long APERTURE_START = C.get("MOCK_APERTURE_START");
    public static final long APERTURE_LAST = C.get("MOCK_APERTURE_LAST");

    private IommufdMockConstants() {}
}
