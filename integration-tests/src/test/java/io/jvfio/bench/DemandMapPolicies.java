package io.jvfio.bench;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultAround;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.DmaMapper;

/** The one place the demand-paging benchmarks make a {@link DemandMapPolicy}: a change of how windows are given is one edit here. */
final class DemandMapPolicies {
    private DemandMapPolicies() {}

    /** A policy over {@code region} that maps the aligned fault-around window of {@code windowBytes} per fault, in one map call. */
    static DemandMapPolicy windowed(DmaMapper mapper, GuestRegion region, long windowBytes) {
        return new DemandMapPolicy(mapper).addRegion(region, FaultAround.of(windowBytes));
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
