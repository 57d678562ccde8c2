package io.jvfio;

/**
 * The kernel interfaces jvfio uses that not every supported kernel has, each with the version that
 * added it. jvfio is compiled against the newest headers; on an older kernel an operation that
 * needs one of these fails with a {@link VfioUnsupportedException} whose {@link
 * VfioUnsupportedException#feature() feature()} is the one missing.
 */
public enum KernelFeature {
    /** IOMMU_HWPT_FAULT_ID_VALID on a paging HW page table over an IOAS; 6.12 took it only on nested ones. */
    FAULT_ON_PAGING_HWPT(6, 13, "a fault queue on a paging HW page table (6.11 and 6.12 take one only on nested page tables)"),
    /** IOMMU_IOAS_MAP_FILE: mapping a memfd into an IOAS by file and offset. */
    IOAS_MAP_FILE(6, 13, "mapping a file into an IOAS (IOMMU_IOAS_MAP_FILE)"),
    /** VFIO_DEVICE_ATTACH_PASID and VFIO_DEVICE_DETACH_PASID on a VFIO cdev. */
    DEVICE_PASID_ATTACH(6, 15, "attaching a PASID of a VFIO device (VFIO_DEVICE_ATTACH_PASID)"),
    /** IOMMU_HWPT_ALLOC_PASID: a HW page table that PASIDs can be attached to. */
    HWPT_ALLOC_PASID(6, 15, "a HW page table for PASIDs (IOMMU_HWPT_ALLOC_PASID)");

    private final KernelVersion since;
    private final String description;

    KernelFeature(int major, int minor, String description) {
        this.since = new KernelVersion(major, minor, 0);
        this.description = description;
    }

    /** The first kernel version that has it. */
    public KernelVersion since() {
        return since;
    }

    /** What it is, as a refusal names it. */
    public String description() {
        return description;
    }

    public boolean isSupportedBy(KernelVersion kernel) {
        return kernel.atLeast(since.major(), since.minor());
    }
}
