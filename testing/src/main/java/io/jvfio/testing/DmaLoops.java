package io.jvfio.testing;

import io.jvfio.VfioException;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.vfio.VfioContainer;

/**
 * C reference loops for the DMA-mapping benchmark: map and unmap one range {@code iterations} times
 * with the ioctls the Java API issues, so the benchmark can set one against the other. Each returns
 * the elapsed nanoseconds.
 */
public final class DmaLoops {
    static {
        TestingLibrary.ensureAvailability();
    }

    private DmaLoops() {}

    /** VFIO_IOMMU_MAP_DMA (read and write) + VFIO_IOMMU_UNMAP_DMA on a container. */
    public static long container(VfioContainer container, long vaddr, long iova, long size, int iterations)
            throws VfioException {
        return check(DmaLoopNative.containerLoop(container.fd(), vaddr, iova, size, iterations),
                "VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA loop", container.toString());
    }

    /** IOMMU_IOAS_MAP (fixed IOVA, read and write) + IOMMU_IOAS_UNMAP on an IOAS. */
    public static long ioas(IoAddressSpace ioas, long vaddr, long iova, long size, int iterations) throws VfioException {
        return check(DmaLoopNative.ioasLoop(ioas.iommufd().fd(), ioas.id(), vaddr, iova, size, iterations),
                "IOMMU_IOAS_MAP + IOMMU_IOAS_UNMAP loop", ioas.toString());
    }

    private static long check(long result, String operation, String object) throws VfioException {
        if (result < 0) {
            throw VfioException.of(operation, object, (int) -result, null);
        }
        return result;
    }
}
