package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.GuestRegion;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * iommufd objects against the real kernel, with no device attached: a closed object never acts on
 * the id the context has given to a new one, objects of two contexts are never mixed by id, and
 * IOVAs at or above 2^63 (valid in an IOAS with no device) are not taken for errnos.
 */
@MockIommuGuest
class IommufdObjectLifecycleTest {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final long PAGE = 4096;
    private static final int ENOENT = 2; // tryMap's -errno, as the kernel's: the same on every Linux architecture

    @Test
    void aClosedIoasRefusesEveryOperationAndLeavesAloneTheIoasGivenItsId() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); DmaBuffer page = DmaBuffer.allocate(PAGE)) {
            IoAddressSpace closed = IoAddressSpace.allocate(iommufd);
            closed.close();
            try (IoAddressSpace heir = IoAddressSpace.allocate(iommufd)) {
                assertEquals(closed.id(), heir.id(), "the kernel gives the freed id to the next IOAS");
                heir.map(page.address(), PAGE, 0x100000, RW);

                assertEquals(-ENOENT, closed.tryMap(page.address(), PAGE, 0x200000, RW));
                VfioException map = assertThrows(VfioException.class, () -> closed.map(page.address(), PAGE, 0x200000, RW));
                assertEquals("ENOENT", map.errnoName());
                assertTrue(map.getMessage().contains("the IOAS is closed"), map.getMessage());
                assertEquals("ENOENT", assertThrows(VfioException.class, closed::unmapAll).errnoName());
                assertEquals("ENOENT", assertThrows(VfioException.class, () -> closed.unmap(0x100000, PAGE)).errnoName());
                assertEquals("ENOENT", assertThrows(VfioException.class, closed::iovaRanges).errnoName());

                assertEquals(PAGE, heir.unmap(0x100000, PAGE), "the new IOAS kept its mapping");
                assertEquals(0, heir.unmapAll(), "nothing the closed IOAS was asked to map landed in the new one");
            }
        }
    }

    @Test
    void aMapAtAnIovaAtOrAbove2To63IsASuccessNotAnErrno() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); IoAddressSpace ioas = IoAddressSpace.allocate(iommufd);
             DmaBuffer page = DmaBuffer.allocate(PAGE)) {
            long top = -PAGE; // 0xffff_ffff_ffff_f000: with no device attached, the whole 64-bit space is usable
            ioas.map(page.address(), PAGE, top, RW);
            assertEquals(0, ioas.tryMap(page.address(), PAGE, Long.MIN_VALUE, RW));
            assertEquals(PAGE, ioas.unmap(top, PAGE));
            assertEquals(PAGE, ioas.unmap(Long.MIN_VALUE, PAGE));

            ioas.allowIovas(List.of(IovaRange.ofLength(Long.MIN_VALUE, 1 << 20)));
            assertEquals(Long.MIN_VALUE, ioas.map(page, RW), "the kernel's choice, 2^63, as an unsigned IOVA");
            assertEquals(PAGE, ioas.unmapAll());
        }
    }

    /**
     * The kernel reads an unmap's length as unsigned: -0x200000 at 0x100000 does not pass 2^64, so it
     * would unmap everything from 0x100000 up, and say so.
     */
    @Test
    void anUnmapOfANegativeLengthIsRefusedAndUnmapsNothing() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); IoAddressSpace ioas = IoAddressSpace.allocate(iommufd);
             DmaBuffer pages = DmaBuffer.allocate(2 * PAGE)) {
            ioas.map(pages.address(), PAGE, 0x100000, RW);
            ioas.map(pages.address() + PAGE, PAGE, 0x300000, RW);
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> ioas.unmap(0x100000, -0x200000));
            assertTrue(negative.getMessage().startsWith("IOMMU_IOAS_UNMAP(ioas " + ioas.id() + ", iova 0x100000"),
                    negative.getMessage());
            assertTrue(negative.getMessage().contains("the length must be positive, not -2097152"), negative.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ioas.unmap(0x100000, -PAGE), "one that passes 2^64");
            assertThrows(IllegalArgumentException.class, () -> ioas.unmap(-PAGE, 2 * PAGE), "a range past 2^64");
            assertEquals(PAGE, ioas.unmap(0x300000, PAGE), "the mapping above the refused range is still there");
            assertEquals(PAGE, ioas.unmap(0x100000, PAGE));
        }
    }

    @Test
    void mapArgumentsTheKernelAnswersWithABareErrnoAreRefusedNamingTheValue() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); IoAddressSpace ioas = IoAddressSpace.allocate(iommufd);
             IoAddressSpace other = IoAddressSpace.allocate(iommufd); DmaBuffer page = DmaBuffer.allocate(PAGE)) {
            Set<Access> none = EnumSet.noneOf(Access.class);
            assertRefused("IOMMU_IOAS_MAP(ioas " + ioas.id() + ", iova 0x100000, length 0x1000): no access given",
                    () -> ioas.map(page.address(), PAGE, 0x100000, none));
            assertRefused("IOMMU_IOAS_MAP(ioas " + ioas.id() + ", iova 0x100000, length 0x0): the length must be positive, not 0",
                    () -> ioas.map(page.address(), 0, 0x100000, RW));
            assertRefused("the length must be positive, not -4096 (0xfffffffffffff000)",
                    () -> ioas.map(page.address(), -PAGE, 0x100000, RW));
            assertRefused("iova 0xfffffffffffff000 + length 0x2000 passes the top of the 64-bit IOVA space",
                    () -> ioas.map(page.address(), 2 * PAGE, -PAGE, RW));
            assertRefused("no access given", () -> ioas.map(page, none));
            ioas.map(page.address(), PAGE, 0x100000, RW);
            assertRefused("IOMMU_IOAS_COPY(", () -> ioas.copyTo(other, 0x100000, -PAGE, 2 * PAGE, RW));
            assertRefused("no access given", () -> ioas.copyTo(other, 0x100000, 0x100000, PAGE, none));
            assertEquals(0, other.unmapAll(), "nothing refused reached the kernel");
            assertEquals(PAGE, ioas.unmapAll(), "the one page mapped");
        }
    }

    @Test
    void anUnmapThatCutsAMappingSaysSo() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); IoAddressSpace ioas = IoAddressSpace.allocate(iommufd);
             DmaBuffer pages = DmaBuffer.allocate(2 * PAGE)) {
            ioas.map(pages.address(), 2 * PAGE, 0x100000, RW);
            VfioException cut = assertThrows(VfioException.class, () -> ioas.unmap(0x100000, PAGE));
            assertEquals("ENOENT", cut.errnoName());
            assertTrue(cut.getMessage().contains("the range cuts a mapping: unmap whole mappings"), cut.getMessage());
            assertEquals(2 * PAGE, ioas.unmap(0x100000, 2 * PAGE), "the mapping is whole");
        }
    }

    private static void assertRefused(String expected, Executable map) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, map);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void objectsOfAnotherIommufdAreRefusedBeforeTheKernelSeesTheirIds() throws Exception {
        try (Iommufd one = Iommufd.open(); Iommufd two = Iommufd.open(); DmaBuffer page = DmaBuffer.allocate(PAGE)) {
            IoAddressSpace src = IoAddressSpace.allocate(one);
            IoAddressSpace neighbour = IoAddressSpace.allocate(one);
            IoAddressSpace.allocate(two);
            IoAddressSpace foreign = IoAddressSpace.allocate(two);
            assertEquals(neighbour.id(), foreign.id(), "foreign's id names neighbour in src's context");
            src.map(page.address(), PAGE, 0x100000, RW);
            assertThrows(IllegalArgumentException.class, () -> src.copyTo(foreign, 0x100000, 0x100000, PAGE, RW));
            assertEquals(0, neighbour.unmapAll(), "the copy landed in an IOAS of src's context");
            assertEquals(0, foreign.unmapAll());

            try (FaultQueue queue = FaultQueue.allocate(two)) {
                assertThrows(IllegalArgumentException.class,
                        () -> HwPageTable.allocate(one, 1, src.id(), EnumSet.noneOf(HwptFlag.class), queue));
            }
        }
    }

    @Test
    void closingAnIoasTellsItsUnmapListenersItsMappingsWentWithIt() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); DmaBuffer memory = DmaBuffer.allocate(16 * PAGE)) {
            IoAddressSpace ioas = IoAddressSpace.allocate(iommufd);
            DemandMapPolicy policy = new DemandMapPolicy(ioas)
                    .addRegion(new GuestRegion(0x100000, memory.address(), memory.size(), RW));
            policy.pin(IovaRange.ofLength(0x100000, 4 * PAGE));
            assertEquals(4 * PAGE, policy.bytesMapped());
            ioas.close();
            assertEquals(0, policy.bytesMapped(), "the policy still counts mappings destroyed with the IOAS");
            policy.close();
        }
    }

    @Test
    void aHwPageTableOnAClosedIommufdLeavesItsFaultQueueClosable() throws Exception {
        Iommufd iommufd = Iommufd.open();
        FaultQueue queue = FaultQueue.allocate(iommufd);
        iommufd.close();
        assertThrows(IllegalStateException.class,
                () -> HwPageTable.allocate(iommufd, 1, 1, EnumSet.noneOf(HwptFlag.class), queue));
        queue.close(); // EBUSY if the refused table had kept its reference on the queue
    }

    @Test
    void aHwPageTableOnAClosedFaultQueueIsRefusedBeforeTheKernelSeesItsId() throws Exception {
        try (Iommufd iommufd = Iommufd.open(); IoAddressSpace ioas = IoAddressSpace.allocate(iommufd)) {
            FaultQueue closed = FaultQueue.allocate(iommufd);
            closed.close();
            VfioException refused = assertThrows(VfioException.class,
                    () -> HwPageTable.allocate(iommufd, 1, ioas.id(), EnumSet.noneOf(HwptFlag.class), closed));
            assertTrue(refused.getMessage().contains("the fault queue is closed"), refused.getMessage());
        }
    }
}
