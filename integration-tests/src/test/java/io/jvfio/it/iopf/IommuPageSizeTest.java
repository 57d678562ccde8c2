package io.jvfio.it.iopf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.KernelVersion;
import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultAround;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.GuestRegion;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.it.MockIommuGuest;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.HugePagePool;
import io.jvfio.testing.MockIommuDevice;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How large the IOMMU mappings a fault makes are, read back through dirty tracking
 * (IOMMU_HWPT_SET_DIRTY_TRACKING, IOMMU_HWPT_GET_DIRTY_BITMAP): the IOMMU keeps a dirty bit per IOMMU
 * page, so one DMA write (the mock's IOMMU_TEST_OP_DIRTY) reports every 4 KiB page of the IOMMU page
 * it lands in. A 2 MiB fault-around window on 2 MiB huge pages is one map call of physically
 * contiguous memory. On 7.2, whose mock domain is a generic page table in the AMDv1 format with a
 * 2 KiB base page, that call must use large IOMMU pages: 1 MiB ones were measured (256 pages dirtied
 * by a write), and a 4 KiB-page memfd in its place dirtied 1. 6.12's mock maps in 2 KiB pages
 * whatever backs the memory, so there one write dirties one 4 KiB page.
 */
@MockIommuGuest
class IommuPageSizeTest {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;
    private static final long BASE = MockIommuDevice.aperture().start();
    private static final int PAGE = 4096;
    private static final long WINDOW = 2L << 20;
    private static final Set<Access> READ_WRITE = EnumSet.of(Access.READ, Access.WRITE);
    /** Linux 7.x: the mock domain takes large IOMMU pages (a generic page table); 6.12's takes 2 KiB only. */
    private static final boolean LARGE_IOMMU_PAGES = KernelVersion.running().atLeast(7, 0);

    private MockFaultFixture source;
    private HwPageTable table;

    @BeforeEach
    void open() throws Exception {
        source = new MockFaultFixture(MockIommuDevice.Topology.NESTED, EnumSet.of(HwptFlag.DIRTY_TRACKING));
        table = source.mock.mappingTable();
        table.setDirtyTracking(true);
    }

    @AfterEach
    void close() throws Exception {
        if (source != null) {
            source.ioas.unmapAll();
            source.close();
        }
    }

    /** Serves a fault at each of {@code iovas} with {@code policy}; each must be answered SUCCESS. */
    private void fault(DemandMapPolicy policy, long... iovas) throws Exception {
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, policy)) {
            for (int k = 0; k < iovas.length; k++) {
                source.mock.trigger(0, k, RW, iovas[k]);
            }
            assertEquals(iovas.length, Await.atLeast(iovas.length, () -> loop.stats().groups(), 120), "groups answered");
            assertEquals(iovas.length, loop.stats().success(), loop.stats().toString());
        }
    }

    /**
     * The 4 KiB pages of {@code mapped} that one DMA write at {@code iova} dirties. The kernel reads
     * dirt only over a range mapped throughout (EINVAL on 6.12 where it has a hole).
     */
    private int pagesOneWriteDirties(long iova, IovaRange mapped) throws VfioException {
        assertEquals(0, table.readDirty(mapped.start(), mapped.length(), PAGE, true).cardinality(), "nothing is dirty before the write");
        return source.mock.pagesDirtiedByOneWrite(iova, mapped);
    }

    /** A policy mapping {@code huge} (2 MiB of huge pages) at BASE, a whole 2 MiB window per fault. */
    private DemandMapPolicy hugeWindowPolicy(DmaBuffer huge) {
        return new DemandMapPolicy(source.ioas)
                .addRegion(new GuestRegion(BASE, huge.address(), WINDOW, READ_WRITE), FaultAround.of(WINDOW));
    }

    @Test
    void aTwoMegabyteWindowOnHugePagesMapsAsLargeIommuPages() throws Exception {
        try (HugePagePool pool = HugePagePool.reserve(1);
                DmaBuffer huge = DmaBuffer.memfd("jvfio-iommu-page", WINDOW, true);
                DemandMapPolicy policy = hugeWindowPolicy(huge)) {
            fault(policy, BASE + 5 * PAGE);
            assertEquals(List.of(IovaRange.ofLength(BASE, WINDOW)), policy.areas(), "the fault maps the whole window");
            assertEquals(1, policy.mapCalls(), "in one map call");
            int dirty = pagesOneWriteDirties(BASE + 5 * PAGE, IovaRange.ofLength(BASE, WINDOW));
            if (LARGE_IOMMU_PAGES) {
                assertTrue(dirty >= 256 && Integer.bitCount(dirty) == 1, "one write dirties the whole IOMMU page it lands"
                        + " in, of 1 MiB or more on Linux " + KernelVersion.running() + ", not " + dirty + " 4 KiB pages");
            } else {
                assertEquals(1, dirty, "Linux 6.12's mock maps 2 KiB IOMMU pages only");
            }
        }
    }

    /**
     * A read of 8 pages inside one large IOMMU page: 7.2 reports the IOMMU page's whole length (and
     * wrote its bits past the end of a bitmap of the range alone, into the heap); the read fails with
     * EPROTO, as 6.12 fails a read that cuts a large page, instead of returning pages the range lacks.
     */
    @Test
    void aDirtyReadThatCutsALargeIommuPageFailsInsteadOfReportingPagesOutsideIt() throws Exception {
        try (HugePagePool pool = HugePagePool.reserve(1);
                DmaBuffer huge = DmaBuffer.memfd("jvfio-iommu-page", WINDOW, true);
                DemandMapPolicy policy = hugeWindowPolicy(huge)) {
            fault(policy, BASE + 5 * PAGE);
            source.mock.markDirty(BASE + 5 * PAGE);
            if (LARGE_IOMMU_PAGES) {
                VfioException cut = assertThrows(VfioException.class, () -> table.readDirty(BASE, 8 * PAGE, PAGE, false));
                assertEquals("EPROTO", cut.errnoName(), cut.getMessage());
                assertTrue(cut.getMessage().contains("past the range's end"), cut.getMessage());
            } else {
                BitSet five = new BitSet();
                five.set(5);
                assertEquals(five, table.readDirty(BASE, 8 * PAGE, PAGE, false), "Linux 6.12's mock maps 2 KiB IOMMU pages only");
            }
        }
    }

    @Test
    void oneFaultOnePageWindowsAreSmallIommuPages() throws Exception {
        try (DmaBuffer memory = DmaBuffer.allocate(WINDOW);
                DemandMapPolicy policy = new DemandMapPolicy(source.ioas)
                        .addRegion(new GuestRegion(BASE, memory.address(), WINDOW, READ_WRITE))) {
            fault(policy, BASE + 6 * PAGE, BASE + 7 * PAGE, BASE + 8 * PAGE);
            assertEquals(3, policy.mapCalls());
            assertEquals(1, pagesOneWriteDirties(BASE + 7 * PAGE, IovaRange.ofLength(BASE + 6 * PAGE, 3 * PAGE)));
        }
    }

    @Test
    void aDirtyBitmapReadKeepsOrClearsAsAskedAndRefusesAMisalignedRange() throws Exception {
        try (DmaBuffer memory = DmaBuffer.allocate(16 * PAGE)) {
            for (int page = 0; page < 16; page++) { // a map call per page: IOMMU pages of 4 KiB at most
                source.ioas.map(memory.address() + page * PAGE, PAGE, BASE + page * PAGE, READ_WRITE);
            }
            source.mock.markDirty(BASE + 3 * PAGE);
            source.mock.markDirty(BASE + 9 * PAGE + 100);
            BitSet expected = new BitSet();
            expected.set(3);
            expected.set(9);
            assertEquals(expected, table.readDirty(BASE, 16 * PAGE, PAGE, false), "read without clearing");
            assertEquals(expected, table.readDirty(BASE, 16 * PAGE, PAGE, true), "still there; now cleared");
            assertTrue(table.readDirty(BASE, 16 * PAGE, PAGE, true).isEmpty(), "cleared by the read before");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> table.readDirty(BASE + 1, 16 * PAGE, PAGE, true));
            assertTrue(e.getMessage().contains("iova 0x" + Long.toHexString(BASE + 1)), e.getMessage());
        }
    }

    @Test
    void aReadThatCouldNotBeTrueIsRefusedBeforeTheKernel() throws Exception {
        IllegalArgumentException wraps = assertThrows(IllegalArgumentException.class,
                () -> table.readDirty(-2L * PAGE, 4L * PAGE, PAGE, false));
        assertTrue(wraps.getMessage().contains("end below 2^64"), wraps.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> table.readDirty(BASE, (HwPageTable.MAX_DIRTY_PAGES + 1) * PAGE, PAGE, false));
        assertTrue(huge.getMessage().contains("read the range in parts"), huge.getMessage());
        // 7.2 reads every page as clean while tracking is off, where 6.12 fails: refused on both.
        table.setDirtyTracking(false);
        assertFalse(table.isDirtyTracking());
        IllegalStateException off = assertThrows(IllegalStateException.class, () -> table.readDirty(BASE, PAGE, PAGE, false));
        assertTrue(off.getMessage().contains("tracking is off"), off.getMessage());
    }

    @Test
    void aTableWithoutDirtyTrackingSaysHowToGetItAndADestroyedOneIsRefused() throws Exception {
        HwPageTable table;
        try (MockFaultFixture plain = new MockFaultFixture()) {
            table = plain.mock.mappingTable();
            VfioException e = assertThrows(VfioException.class, () -> table.setDirtyTracking(true));
            assertEquals("IOMMU_HWPT_SET_DIRTY_TRACKING", e.operation());
            assertTrue(e.getMessage().contains("HwptFlag.DIRTY_TRACKING"), e.getMessage());
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> table.readDirty(BASE, PAGE, PAGE, true));
        assertTrue(e.getMessage().contains("destroyed"), e.getMessage());
    }
}
