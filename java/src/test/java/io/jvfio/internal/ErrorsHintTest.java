package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The usual-cause hints point the right way: the memlock limit only where memory is pinned. */
class ErrorsHintTest {
    @Test
    void enomemBlamesTheMemlockLimitOnlyForTheIommuMapsThatPin() {
        for (String pinning : new String[] {"IOMMU_IOAS_MAP", "VFIO_IOMMU_MAP_DMA", "IOMMU_IOAS_MAP_FILE"}) {
            String hint = Errors.hint(pinning, Errno.ENOMEM);
            assertTrue(hint.contains("RLIMIT_MEMLOCK"), pinning + ": " + hint);
        }
        String mmap = Errors.hint("mmap", Errno.ENOMEM);
        assertFalse(mmap.contains("MEMLOCK") || mmap.contains("ulimit -l"), "an mmap pins nothing: " + mmap);
        assertTrue(mmap.contains("/proc/meminfo"), mmap);
        for (String unpinning : new String[] {"IOMMU_IOAS_UNMAP", "VFIO_IOMMU_UNMAP_DMA"}) {
            String hint = Errors.hint(unpinning, Errno.ENOMEM);
            assertFalse(hint != null && hint.contains("RLIMIT_MEMLOCK"), "an unmap pins nothing: " + unpinning + ": " + hint);
        }
    }
}
