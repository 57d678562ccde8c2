package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a fault server refuses before it opens anything in the kernel. */
class FaultServerBuilderTest {
    /** A source the server refuses before attaching it. */
    private static final FaultSource UNUSED = new FaultSource() {
        @Override
        public long defaultIova() {
            throw new AssertionError("never asked");
        }

        @Override
        public void attach(IoAddressSpace ioas, FaultQueue queue) {
            throw new AssertionError("never attached");
        }

        @Override
        public void close() {
            throw new AssertionError("never closed");
        }

        @Override
        public String toString() {
            return "the unused source";
        }
    };

    @Test
    void badMemoryAndIovasAreRefusedUpFront() throws Exception {
        assertEquals("guest memory needs a positive size a process can address, not 0",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).memory(0)).getMessage());
        assertEquals("guest memory needs a page-aligned IOVA, not 0x1234",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).iova(0x1234)).getMessage());
        assertEquals("guest memory needs an IOVA below 2^63, not 0x8000000000000000",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).iova(Long.MIN_VALUE)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).memory(Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).faultAround(3 * 4096));
        DmaBuffer closed = DmaBuffer.allocate(4096);
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).memory(closed).open());
        assertEquals("the guest memory given for the unused source (" + closed + ") is closed", e.getMessage());
    }

    @Test
    void aBadBatchWindowOrPinIsRefusedBeforeTheKernelIsOpened() {
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).batch(0));
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).batch(FaultServiceLoop.MAX_BATCH + 1));
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).window(0));
        // The default 64 MiB, and a pin reaching one byte past it: refused by open() before it opens /dev/iommu.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FaultServer.forSource(UNUSED).pin(IovaRange.ofLength(63L << 20, (1L << 20) + 1)).open());
        assertTrue(e.getMessage().startsWith("pinned range 0x3f00000..0x4000000 (offsets) is outside guest memory of 67108864 bytes"),
                e.getMessage());
    }

    @Test
    void aDemandMapPolicyOfTheCallersOwnIsRefused() {
        // It would map into another IOAS than the server's and answer SUCCESS: the device faulting again forever.
        DemandMapPolicy elsewhere = new DemandMapPolicy(new FakeMapper());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).policy(elsewhere));
        assertTrue(e.getMessage().startsWith("FaultServer.Builder.policy: a DemandMapPolicy maps into the DmaMapper"), e.getMessage());
        FaultServer.forSource(UNUSED).policy(group -> FaultResponse.INVALID); // any other policy is the caller's to answer with
    }

    @Test
    void aGuestRegionOrBufferThatWouldWrapPastTheAddressSpaceIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GuestRegion(-4096, 0x10000, 0x2000, Set.of(Access.READ)));
        assertThrows(IllegalArgumentException.class, () -> new GuestRegion(0x10000, -4096, 0x2000, Set.of(Access.READ)));
        assertEquals(0x1000, new GuestRegion(-4096, 0x10000, 0x1000, Set.of(Access.READ)).length(), "up to the last byte is fine");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> new GuestRegion(0x10000, 0x10000, 0x1000, Set.of()));
        assertTrue(none.getMessage().contains("neither read nor write"), none.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GuestRegion(0x10000, 0x10000, 0x1000, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DmaBuffer.reserve(Long.MAX_VALUE - 100));
        assertTrue(e.getMessage().contains("more than a process can address"), e.getMessage());
    }

    @Test
    void pinnedRangesAreReportedAsMappedWholePagesMergedInIovaOrder() {
        long page = 4096;
        long base = 0x10_0000;
        assertEquals(List.of(new IovaRange(base, base + page - 1)),
                FaultServer.wholePages(List.of(IovaRange.ofLength(base + 0x800, 0x800)), page), "part of a page pins all of it");
        assertEquals(List.of(new IovaRange(base, base + 3 * page - 1), new IovaRange(base + 5 * page, base + 6 * page - 1)),
                FaultServer.wholePages(List.of(IovaRange.ofLength(base + 5 * page, 1), IovaRange.ofLength(base + page, page),
                        IovaRange.ofLength(base, page + 1), IovaRange.ofLength(base + 2 * page, 10)), page),
                "overlapping and adjacent ranges merge, in IOVA order");
        assertEquals(List.of(new IovaRange(Long.MIN_VALUE - page, Long.MIN_VALUE + page - 1), new IovaRange(-page, -1)),
                FaultServer.wholePages(List.of(IovaRange.ofLength(-page, page), IovaRange.ofLength(Long.MIN_VALUE - page, 1),
                        IovaRange.ofLength(Long.MIN_VALUE, page)), page), "unsigned order, up to the top of the IOVA space");
        assertEquals(List.of(), FaultServer.wholePages(List.of(), page));
    }
}
