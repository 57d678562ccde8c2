package io.jvfio.fault;

import io.jvfio.internal.UnixConstants;

/**
 * How much of a guest region one fault maps: the window of {@code bytes} around the faulting page,
 * aligned on its size in IOVA space (see {@link DemandMapPolicy}). A power of two from the page size
 * to {@link #MAX_BYTES}: a fault-around window never pins more than 2 MiB, and 2 MiB is the IOMMU's
 * first huge page size, so the largest window is the one that can become a huge mapping. (The map
 * window of {@link DemandMapPolicy#DemandMapPolicy(io.jvfio.memory.DmaMapper, int)}, pages mapped
 * forward from the faulting one, is its caller's to bound.)
 */
public record FaultAround(long bytes) {
    /** The largest window: one 2 MiB IOMMU page. */
    public static final long MAX_BYTES = 2L << 20;

    public FaultAround {
        long page = UnixConstants.PAGE_SIZE;
        if (bytes < page || bytes > MAX_BYTES || Long.bitCount(bytes) != 1) {
            throw new IllegalArgumentException("the fault-around window is a power of two from " + page + " (the page size) to "
                    + MAX_BYTES + " (2 MiB) bytes, not " + bytes);
        }
    }

    /** A window of {@code bytes}. */
    public static FaultAround of(long bytes) {
        return new FaultAround(bytes);
    }

    /** The faulting page alone: the default. */
    public static FaultAround onePage() {
        return new FaultAround(UnixConstants.PAGE_SIZE);
    }
}
