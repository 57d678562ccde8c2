package io.jvfio.bench;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.DmaMapper;

/**
 * The one place the demand-paging benchmarks make a {@link DemandMapPolicy}, so that switching to
 * fault-around windows (aligned, per region) is one edit here.
 */
final class DemandMapPolicies {
    private DemandMapPolicies() {}

    /** A policy over {@code region} that maps {@code windowBytes} (whole pages) per fault. */
    static DemandMapPolicy windowed(DmaMapper mapper, GuestRegion region, long windowBytes) {
        // Today's window: that many pages from the faulting one on, one IOMMU_IOAS_MAP per page.
        return new DemandMapPolicy(mapper, (int) (windowBytes / MockRig.PAGE)).addRegion(region);
    }

    /** "4 KiB", "2 MiB": for table rows. */
    static String size(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return (bytes >> 10) + " KiB";
    }
}
