package io.jvfio.testing;

/** Natives of native/testing/iommufd_mock.c; constants in {@link IommufdMockConstants}. Natives only. */
final class IommufdMockNative {
    private IommufdMockNative() {}

    static native int hwptDataSelftest();

    static native int iotlbDefault();

    static native long apertureStart();

    static native long apertureLast();

    static native int offsetofHwptSelftestIotlb();

    /** IOMMU_TEST_OP_MOCK_DOMAIN: stores stdev id, hwpt id, idev id (3 ints) at {@code out}. */
    static native int mockDomain(int fd, int ioasId, long out);

    /** Returns the page table id now attached. */
    static native int mockDomainReplace(int fd, int stdevId, int ptId);

    static native int triggerIopf(int fd, int devId, int pasid, int grpid, int perm, long addr);

    /** Fires {@code count} faults; returns how many were delivered. */
    static native long triggerBurst(int fd, int devId, int pasid, int grpid, int perm, long addr, long stride, long count);

    /** IOMMU_TEST_OP_MD_CHECK_MAP: 0 when the mock domain maps iova..+length to uptr. */
    static native int checkMap(int fd, int hwptId, long iova, long length, long uptr);

    /** IOMMU_TEST_OP_DIRTY on one page: the dirty bit of the IOMMU page holding iova; returns the pages marked. */
    static native int markDirty(int fd, int hwptId, long iova, long pageSize);

    /** IOMMU_DESTROY of the mock device {@code id}: 0 or -errno. */
    static native int destroy(int fd, int id);
}
