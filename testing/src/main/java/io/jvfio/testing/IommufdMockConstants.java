package io.jvfio.testing;

/** Constants and the HWPT data layout of the kernel tree's iommufd_test.h, from native/testing/iommufd_mock.c. */
final class IommufdMockConstants {
    static {
        TestingLibrary.ensureAvailability();
    }

    static final int HWPT_DATA_SELFTEST = IommufdMockNative.hwptDataSelftest();
    static final int IOTLB_DEFAULT = IommufdMockNative.iotlbDefault();
    static final long APERTURE_START = IommufdMockNative.apertureStart();
    static final long APERTURE_LAST = IommufdMockNative.apertureLast();
    static final int HWPT_SELFTEST_SIZE = IommufdMockNative.sizeofHwptSelftest();
    static final int HWPT_SELFTEST_IOTLB = IommufdMockNative.offsetofHwptSelftestIotlb();

    private IommufdMockConstants() {}
}
