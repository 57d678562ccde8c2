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
    static final int HWPT_SELFTEST_IOTLB = IommufdMockNative.offsetofHwptSelftestIotlb();
    /**
     * The stage-1 data the mock takes: up to and including iotlb, the one field every kernel's
     * struct iommu_hwpt_selftest has. 7.x appended pagetable_type (0 means the default), but 6.12's
     * mock refuses data longer than its own 4-byte struct with EINVAL, so the longer struct is never sent.
     */
    static final int HWPT_SELFTEST_SIZE = HWPT_SELFTEST_IOTLB + Integer.BYTES;

    private IommufdMockConstants() {}
}
