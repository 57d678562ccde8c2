package io.jvfio.vfio;

import io.jvfio.internal.NativeConstants;
import io.jvfio.memory.IovaRange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * VFIO_IOMMU_GET_INFO of a type1 container: the IOMMU page sizes (a bitmap: bit n set means 2^n
 * bytes is supported), the IOVA ranges a mapping may use, and how many more mappings are allowed.
 */
public record VfioIommuInfo(long pageSizes, List<IovaRange> iovaRanges, OptionalInt dmaMappingsAvailable) {

    /** The smallest supported IOMMU page size. */
    public long minimumPageSize() {
        return Long.lowestOneBit(pageSizes);
    }

    /** Whether {@code [iova, iova + length)} lies inside one of the allowed ranges. */
    public boolean allows(long iova, long length) {
        return iovaRanges.isEmpty() || iovaRanges.stream().anyMatch(r -> r.contains(iova, length));
    }

    static VfioIommuInfo decode(byte[] info, NativeConstants c) {
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN);
        int flags = b.getInt(c.offsetOf("vfio_iommu_type1_info", "flags"));
        long pageSizes = (flags & c.getInt("VFIO_IOMMU_INFO_PGSIZES")) != 0
                ? b.getLong(c.offsetOf("vfio_iommu_type1_info", "iova_pgsizes")) : 0;
        List<IovaRange> ranges = new ArrayList<>();
        OptionalInt avail = OptionalInt.empty();
        if ((flags & c.getInt("VFIO_IOMMU_INFO_CAPS")) != 0) {
            int first = b.getInt(c.offsetOf("vfio_iommu_type1_info", "cap_offset"));
            for (VfioCapabilityChain.Capability cap : VfioCapabilityChain.walk(info, first, c)) {
                if (cap.id() == c.getInt("VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE")) {
                    int n = b.getInt(cap.offset() + c.offsetOf("vfio_iommu_type1_info_cap_iova_range", "nr_iovas"));
                    int at = cap.offset() + c.offsetOf("vfio_iommu_type1_info_cap_iova_range", "iova_ranges");
                    int stride = c.sizeOf("vfio_iova_range");
                    if (n < 0 || at + (long) n * stride > info.length) {
                        throw new IllegalArgumentException("IOVA range capability claims " + n
                                + " ranges beyond the " + info.length + " info bytes");
                    }
                    for (int i = 0; i < n; i++) {
                        int r = at + i * stride;
                        ranges.add(new IovaRange(b.getLong(r + c.offsetOf("vfio_iova_range", "start")),
                                b.getLong(r + c.offsetOf("vfio_iova_range", "end"))));
                    }
                } else if (cap.id() == c.getInt("VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL")) {
                    avail = OptionalInt.of(b.getInt(cap.offset() + c.offsetOf("vfio_iommu_type1_info_dma_avail", "avail")));
                }
            }
        }
        return new VfioIommuInfo(pageSizes, List.copyOf(ranges), avail);
    }
}
