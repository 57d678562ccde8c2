package io.jvfio.internal;

/** Natives of native/src/iommufd_mock.c; constants in {@link IommufdMockConstants}. Natives only. */
public final class IommufdMockNative {
    private IommufdMockNative() {}

    public static native String constants();

    /** IOMMU_TEST_OP_MOCK_DOMAIN: stores stdev id, hwpt id, idev id (3 ints) at {@code out}. */
    public static native int mockDomain(int fd, int ioasId, long out);

    /** Returns the page table id now attached. */
    public static native int mockDomainReplace(int fd, int stdevId, int ptId);

    public static native int triggerIopf(int fd, int devId, int pasid, int grpid, int perm, long addr);

    /** Fires {@code count} faults; returns how many were delivered. */
    public static native long triggerBurst(int fd, int devId, int pasid, int grpid, int perm, long addr, long stride, long count);

    /** IOMMU_TEST_OP_MD_CHECK_MAP: 0 when the mock domain maps iova..+length to uptr. */
    public static native int checkMap(int fd, int hwptId, long iova, long length, long uptr);
}
