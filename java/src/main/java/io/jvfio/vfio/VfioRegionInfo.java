package io.jvfio.vfio;

import io.jvfio.internal.NativeConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * VFIO_DEVICE_GET_REGION_INFO: a region's size, its offset in the device fd, flags, and the
 * capabilities vfio-pci reports (sparse mmap areas, a device-specific type).
 */
public record VfioRegionInfo(int index, EnumSet<RegionFlag> flags, int rawFlags, long size, long offset,
                             List<SparseArea> sparseAreas, Optional<RegionType> type) {

    /** A part of the region that may be mmapped when the whole may not. */
    public record SparseArea(long offset, long size) {}

    /** VFIO_REGION_INFO_CAP_TYPE. */
    public record RegionType(int type, int subtype) {}

    public boolean readable() {
        return flags.contains(RegionFlag.READ);
    }

    public boolean writable() {
        return flags.contains(RegionFlag.WRITE);
    }

    public boolean mmappable() {
        return flags.contains(RegionFlag.MMAP);
    }

    /** Decodes the struct and its capability chain from the bytes the kernel filled. */
    static VfioRegionInfo decode(byte[] info, NativeConstants c) {
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN);
        int flags = b.getInt(c.offsetOf("vfio_region_info", "flags"));
        int index = b.getInt(c.offsetOf("vfio_region_info", "index"));
        long size = b.getLong(c.offsetOf("vfio_region_info", "size"));
        long offset = b.getLong(c.offsetOf("vfio_region_info", "offset"));
        List<SparseArea> areas = new ArrayList<>();
        RegionType type = null;
        if ((flags & c.getInt("VFIO_REGION_INFO_FLAG_CAPS")) != 0) {
            int first = b.getInt(c.offsetOf("vfio_region_info", "cap_offset"));
            for (VfioCapabilityChain.Capability cap : VfioCapabilityChain.walk(info, first, c)) {
                if (cap.id() == c.getInt("VFIO_REGION_INFO_CAP_SPARSE_MMAP")) {
                    int n = b.getInt(cap.offset() + c.offsetOf("vfio_region_info_cap_sparse_mmap", "nr_areas"));
                    int at = cap.offset() + c.offsetOf("vfio_region_info_cap_sparse_mmap", "areas");
                    int stride = c.sizeOf("vfio_region_sparse_mmap_area");
                    if (n < 0 || at + (long) n * stride > info.length) {
                        throw new IllegalArgumentException("sparse mmap capability claims " + n
                                + " areas beyond the " + info.length + " info bytes");
                    }
                    for (int i = 0; i < n; i++) {
                        int a = at + i * stride;
                        areas.add(new SparseArea(b.getLong(a + c.offsetOf("vfio_region_sparse_mmap_area", "offset")),
                                b.getLong(a + c.offsetOf("vfio_region_sparse_mmap_area", "size"))));
                    }
                } else if (cap.id() == c.getInt("VFIO_REGION_INFO_CAP_TYPE")) {
                    type = new RegionType(b.getInt(cap.offset() + c.offsetOf("vfio_region_info_cap_type", "type")),
                            b.getInt(cap.offset() + c.offsetOf("vfio_region_info_cap_type", "subtype")));
                }
            }
        }
        return new VfioRegionInfo(index, RegionFlag.of(flags), flags, size, offset, List.copyOf(areas),
                Optional.ofNullable(type));
    }
}
