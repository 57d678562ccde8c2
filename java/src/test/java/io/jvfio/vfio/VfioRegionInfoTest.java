package io.jvfio.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.NativeConstants;
import io.jvfio.internal.VfioConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Region info and its capability chain, decoded from byte fixtures laid out with the kernel's offsets. */
class VfioRegionInfoTest {
    private static final NativeConstants C = VfioConstants.C;
    private static final int SPARSE = C.getInt("VFIO_REGION_INFO_CAP_SPARSE_MMAP");
    private static final int TYPE = C.getInt("VFIO_REGION_INFO_CAP_TYPE");
    private static final int FLAG_CAPS = C.getInt("VFIO_REGION_INFO_FLAG_CAPS");
    private static final int READ = C.getInt("VFIO_REGION_INFO_FLAG_READ");
    private static final int MMAP = C.getInt("VFIO_REGION_INFO_FLAG_MMAP");

    private final ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    private void region(int flags, int index, long size, long offset, int capOffset) {
        b.putInt(C.offsetOf("vfio_region_info", "flags"), flags | (capOffset != 0 ? FLAG_CAPS : 0));
        b.putInt(C.offsetOf("vfio_region_info", "index"), index);
        b.putInt(C.offsetOf("vfio_region_info", "cap_offset"), capOffset);
        b.putLong(C.offsetOf("vfio_region_info", "size"), size);
        b.putLong(C.offsetOf("vfio_region_info", "offset"), offset);
    }

    private void header(int at, int id, int version, int next) {
        b.putShort(at + C.offsetOf("vfio_info_cap_header", "id"), (short) id);
        b.putShort(at + C.offsetOf("vfio_info_cap_header", "version"), (short) version);
        b.putInt(at + C.offsetOf("vfio_info_cap_header", "next"), next);
    }

    private int sparse(int at, int next, long... offsetSizePairs) {
        header(at, SPARSE, 1, next);
        b.putInt(at + C.offsetOf("vfio_region_info_cap_sparse_mmap", "nr_areas"), offsetSizePairs.length / 2);
        int areas = at + C.offsetOf("vfio_region_info_cap_sparse_mmap", "areas");
        int stride = C.sizeOf("vfio_region_sparse_mmap_area");
        for (int i = 0; i < offsetSizePairs.length / 2; i++) {
            b.putLong(areas + i * stride + C.offsetOf("vfio_region_sparse_mmap_area", "offset"), offsetSizePairs[2 * i]);
            b.putLong(areas + i * stride + C.offsetOf("vfio_region_sparse_mmap_area", "size"), offsetSizePairs[2 * i + 1]);
        }
        return areas + offsetSizePairs.length / 2 * stride;
    }

    private VfioRegionInfo decode() {
        return VfioRegionInfo.decode(b.array(), C);
    }

    @Test
    void aRegionWithoutCapabilities() {
        region(READ | MMAP, 0, 0x100000, 0, 0);
        VfioRegionInfo r = decode();
        assertEquals(0, r.index());
        assertEquals(0x100000, r.size());
        assertTrue(r.readable() && r.mmappable() && !r.writable());
        assertTrue(r.sparseAreas().isEmpty() && r.type().isEmpty());
    }

    @Test
    void sparseAreasAreRead() {
        int at = C.sizeOf("vfio_region_info");
        region(READ | MMAP, 0, 0x4000, 0x10000000000L, at);
        sparse(at, 0, 0, 0x1000, 0x3000, 0x1000);
        VfioRegionInfo r = decode();
        assertEquals(List.of(new VfioRegionInfo.SparseArea(0, 0x1000), new VfioRegionInfo.SparseArea(0x3000, 0x1000)), r.sparseAreas());
        assertEquals(0x10000000000L, r.offset());
    }

    @Test
    void aChainOfTwoCapabilities() {
        int first = C.sizeOf("vfio_region_info");
        region(READ, 9, 0x1000, 0, first);
        int second = (sparse(first, 0, 0, 0x800) + 7) & ~7;
        b.putInt(first + C.offsetOf("vfio_info_cap_header", "next"), second);
        header(second, TYPE, 1, 0);
        b.putInt(second + C.offsetOf("vfio_region_info_cap_type", "type"), 0x80000000 | 0x8086);
        b.putInt(second + C.offsetOf("vfio_region_info_cap_type", "subtype"), 3);
        VfioRegionInfo r = decode();
        assertEquals(1, r.sparseAreas().size());
        assertEquals(new VfioRegionInfo.RegionType(0x80000000 | 0x8086, 3), r.type().orElseThrow());
    }

    @Test
    void aChainThatLoopsIsAnErrorNotAHang() {
        int first = C.sizeOf("vfio_region_info");
        region(READ, 0, 0x1000, 0, first);
        header(first, TYPE, 1, first);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::decode);
        assertTrue(e.getMessage().contains("points back"), e.getMessage());
    }

    @Test
    void aChainThatLeavesTheBufferIsAnError() {
        region(READ, 0, 0x1000, 0, 250);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::decode);
        assertTrue(e.getMessage().contains("corrupt VFIO capability chain: offset 250 in 256 bytes"), e.getMessage());
    }

    @Test
    void sparseAreasBeyondTheBufferAreAnError() {
        int at = C.sizeOf("vfio_region_info");
        region(READ, 0, 0x1000, 0, at);
        sparse(at, 0);
        b.putInt(at + C.offsetOf("vfio_region_info_cap_sparse_mmap", "nr_areas"), 1000);
        assertThrows(IllegalArgumentException.class, this::decode);
    }
}
