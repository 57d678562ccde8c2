package io.jvfio.iommufd;

import io.jvfio.internal.IommufdConstants;
import java.util.Set;

/** IOMMU_HWPT_ALLOC_* flags (the fault queue flag is set by passing a FaultQueue). */
public enum HwptFlag {
    NEST_PARENT,
    DIRTY_TRACKING,
    /**
     * IOMMU_HWPT_ALLOC_PASID (Linux 6.15+): a table that PASIDs can be attached to; the table the
     * device itself is attached to needs it too once any PASID is attached.
     */
    PASID;

    static int raw(Set<HwptFlag> flags) {
        return (flags.contains(NEST_PARENT) ? IommufdConstants.HWPT_ALLOC_NEST_PARENT : 0)
                | (flags.contains(DIRTY_TRACKING) ? IommufdConstants.HWPT_ALLOC_DIRTY_TRACKING : 0)
                | (flags.contains(PASID) ? IommufdConstants.HWPT_ALLOC_PASID : 0);
    }
}
