package io.jvfio.memory;

import io.jvfio.VfioException;
import java.util.Set;

/**
 * What a device's DMA sees: mappings of process memory at fixed IOVAs, made through the legacy VFIO
 * container (VFIO_IOMMU_MAP_DMA) or an iommufd IOAS (IOMMU_IOAS_MAP). Code that only maps and unmaps
 * (a demand-map policy, a test) works against this and runs on either. Each backend turns
 * {@link Access} into its own map flags.
 */
public interface DmaMapper {
    /**
     * Maps {@code length} bytes at user address {@code va} to exactly {@code iova}; pins the pages.
     * Fails with EEXIST when the range overlaps an existing mapping.
     */
    void map(long va, long length, long iova, Set<Access> access) throws VfioException;

    /**
     * Maps all of {@code buffer} at {@code iova}. Under the buffer's lock, which its close takes: a
     * close from another thread cannot unmap the address, and a new mmap take it, before the kernel
     * has the mapping (an IOAS with no device attached yet pins the pages only at attach, iommufd's
     * compatibility container at the first device's open: both backends keep a buffer closed before
     * then from giving its addresses to a later mmap until it is unmapped).
     */
    default void map(DmaBuffer buffer, long iova, Set<Access> access) throws VfioException {
        synchronized (buffer) {
            map(buffer.address(), buffer.size(), iova, access);
        }
    }

    /**
     * The same as {@link #map(long, long, long, Set)} but without throwing: returns 0 or -errno, for
     * the fault path, where EEXIST (a racing fault already mapped the page) is an expected answer.
     */
    long tryMap(long va, long length, long iova, Set<Access> access);

    /**
     * {@link #tryMap(long, long, long, Set)} with the access as a mask of {@link Access#bit()}s
     * ({@link Access#mask}): what a fault path calls, once per fault. Backends take the mask straight
     * to their map flags; this default builds the set. A mask with other bits is a caller's bug:
     * IllegalArgumentException ({@link Access#checkMask}), not an errno.
     */
    default long tryMap(long va, long length, long iova, int accessMask) {
        return tryMap(va, length, iova, Access.of(accessMask));
    }

    /**
     * Unmaps the whole mappings inside {@code [iova, iova + length)}; returns the bytes unmapped.
     * Where nothing is mapped, the container returns 0 and an IOAS fails with ENOENT.
     *
     * @throws IllegalArgumentException when {@code length} is not positive or the range passes the top
     *         of the IOVA space (the kernel would read a negative length as a huge one and unmap
     *         everything above {@code iova})
     */
    long unmap(long iova, long length) throws VfioException;

    /** The name of this backend's map operation, for errors and logs that name what was refused. */
    default String mapOperation() {
        return "map";
    }

    /** {@code listener} hears of every unmap from now on, until it is removed. */
    void addUnmapListener(UnmapListener listener);

    /** {@code listener} hears of no more unmaps; nothing happens when it was not added. */
    void removeUnmapListener(UnmapListener listener);

    /** Whoever keeps records of what it mapped (a demand-map policy) hears of every unmap. */
    @FunctionalInterface
    interface UnmapListener {
        /**
         * Called before the ioctl that unmaps the mappings inside {@code range} (after it, a page
         * mapped again in between would be forgotten though mapped); when that ioctl fails, part of
         * the range may still be mapped.
         */
        void unmapping(IovaRange range);
    }
}
