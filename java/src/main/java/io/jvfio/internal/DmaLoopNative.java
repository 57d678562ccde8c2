package io.jvfio.internal;

/**
 * Natives of native/src/dma_loop.c: C reference loops that map and unmap one range repeatedly, for
 * the DMA-mapping benchmark. Each returns the elapsed nanoseconds, or -errno. Natives only (see
 * {@link UnixNative}).
 */
public final class DmaLoopNative {
    private DmaLoopNative() {}

    /** VFIO_IOMMU_MAP_DMA + VFIO_IOMMU_UNMAP_DMA on a container, {@code iterations} times. */
    public static native long containerLoop(int container, long vaddr, long iova, long size, int iterations);

    /** IOMMU_IOAS_MAP (fixed IOVA) + IOMMU_IOAS_UNMAP on an IOAS, {@code iterations} times. */
    public static native long ioasLoop(int iommufd, int ioas, long vaddr, long iova, long size, int iterations);
}
