package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static io.jvfio.it.ProcessMaps.mappingAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.EventFd;
import io.jvfio.VfioBusyException;
import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwInfo;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.cli.demo.Edu;
import io.jvfio.it.GuestDevices;
import io.jvfio.KernelVersion;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.vfio.EnabledIrq;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioDevice;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

/** The cdev + iommufd path against QEMU's edu behind the Intel vIOMMU. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@IntelIommuGuest
class IommufdEduTest {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);

    private EduOnIommufd fixture;
    private Iommufd iommufd;
    private VfioDevice device;
    private int deviceId;
    private IoAddressSpace ioas;
    private Mmio bar0;
    private Edu edu;

    @BeforeAll
    void open() throws Exception {
        fixture = new EduOnIommufd();
        iommufd = fixture.iommufd;
        device = fixture.device;
        deviceId = fixture.deviceId;
        ioas = fixture.ioas;
        bar0 = fixture.bar0;
        edu = fixture.edu;
    }

    @AfterAll
    void close() throws Exception {
        fixture.close();
    }

    private void roundTrip(long iova) throws Exception {
        fixture.roundTrip(iova);
    }

    @Test
    void hwInfoIsIntelVtd() throws Exception {
        HwInfo info = HwInfo.query(iommufd, deviceId);
        assertTrue(info.isIntelVtd(), "type " + info.type());
        assertTrue(info.vtdCapReg().orElse(0) != 0, "VT-d capability register");
    }

    @Test
    void iovaRangesLeaveOutTheMsiWindow() throws Exception {
        List<IovaRange> ranges = ioas.iovaRanges();
        assertFalse(ranges.isEmpty());
        assertTrue(ranges.stream().noneMatch(r -> r.contains(0xfee00000L)), ranges.toString());
        assertTrue(ioas.iovaAlignment() >= 1);
    }

    @Test
    void dmaRoundTripThroughTheIoas() throws Exception {
        roundTrip(0x400000);
    }

    @Test
    void kernelChosenIovaIsInsideTheAllowedRanges() throws Exception {
        try (DmaBuffer buffer = DmaBuffer.allocate(4096)) {
            long iova = ioas.map(buffer, RW);
            try {
                assertTrue(ioas.iovaRanges().stream().anyMatch(r -> r.contains(iova, 4096)), Long.toHexString(iova));
            } finally {
                ioas.unmap(iova, 4096);
            }
        }
    }

    @Test
    void msiArrivesOnAnEventFd() throws Exception {
        try (EventFd interrupt = EventFd.create(); EnabledIrq msi = device.enableIrq(PciIndex.MSI, interrupt)) {
            bar0.write32(Edu.IRQ_RAISE, 2);
            assertTrue(interrupt.await(10_000) > 0, "MSI within 10 s");
            bar0.write32(Edu.IRQ_ACK, 2);
        }
    }

    /**
     * A VMM enables an index again (a new eventfd, more vectors): closing the earlier handle must not
     * tear the new routing down.
     */
    @Test
    void closingASupersededIrqHandleLeavesTheNewRoutingAlone() throws Exception {
        try (EventFd first = EventFd.create(); EventFd second = EventFd.create()) {
            EnabledIrq earlier = device.enableIrq(PciIndex.MSI, first);
            try (EnabledIrq now = device.enableIrq(PciIndex.MSI, second)) {
                earlier.close();
                bar0.write32(Edu.IRQ_RAISE, 4);
                assertTrue(second.await(10_000) > 0, "the MSI reached the new eventfd within 10 s");
                bar0.write32(Edu.IRQ_ACK, 4);
                assertEquals(0, first.tryRead(), "and not the old one");
            } finally {
                earlier.close();
            }
            try (EnabledIrq again = device.enableIrq(PciIndex.MSI, first)) {
                device.disableIrq(PciIndex.MSI);
                again.close(); // the index is down already: nothing to tear down, no error
            }
        }
    }

    @Test
    void badMapsFailClearly() throws Exception {
        try (DmaBuffer buffer = DmaBuffer.allocate(2 * 4096)) {
            VfioException misaligned = assertThrows(VfioException.class,
                    () -> ioas.map(buffer.address() + 100, 4096, 0x500000, RW));
            assertEquals("IOMMU_IOAS_MAP", misaligned.operation());
            assertTrue(misaligned.getMessage().contains("ioas " + ioas.id() + ", iova 0x500000"), misaligned.getMessage());
            ioas.map(buffer, 0x500000, RW);
            try {
                VfioException overlap = assertThrows(VfioException.class, () -> ioas.map(buffer, 0x501000, RW));
                assertEquals("EEXIST", overlap.errnoName(), overlap.getMessage());
            } finally {
                ioas.unmap(0x500000, buffer.size());
            }
            VfioException outside = assertThrows(VfioException.class, () -> ioas.map(buffer, 0xfee00000L, RW));
            assertEquals("IOMMU_IOAS_MAP", outside.operation());
            assertEquals("EINVAL", outside.errnoName(), outside.getMessage());
            assertTrue(outside.getMessage().contains("must lie inside iovaRanges() (not in a reserved range such as the MSI"
                    + " window)"), "not only the alignment: " + outside.getMessage());
            VfioException nothing = assertThrows(VfioException.class, () -> ioas.unmap(0x700000, 4096));
            assertEquals("ENOENT", nothing.errnoName());
        }
        roundTrip(0x400000);
    }

    /**
     * An IOAS with no device attached pins nothing at map time: the first attach pins the pages at the
     * buffer's addresses then. A buffer closed before that must not let a later mmap take those
     * addresses (the attach would pin that memory and give the device DMA to it): they stay reserved
     * with no memory behind them until the mapping is unmapped, and the attach fails instead.
     */
    @Test
    void aBufferClosedWhileMappedBeforeAnyAttachKeepsItsAddressesFromBeingPinnedAfresh() throws Exception {
        try (IoAddressSpace fresh = IoAddressSpace.allocate(iommufd)) {
            DmaBuffer buffer = DmaBuffer.allocate(4 * 4096);
            long address = buffer.address();
            fresh.map(buffer, 0xa00000, RW);
            buffer.close();
            assertTrue(mappingAt(address).contains("jvfio-closed"), "the addresses stay reserved: " + mappingAt(address));
            VfioException table = assertThrows(VfioException.class,
                    () -> HwPageTable.allocate(iommufd, deviceId, fresh.id(), EnumSet.noneOf(HwptFlag.class)).close());
            assertEquals("EFAULT", table.errnoName(), "a HW page table on it pins too: " + table.getMessage());
            assertTrue(table.getMessage().contains("a DmaBuffer mapped there was closed before it was unmapped"),
                    table.getMessage());
            try {
                VfioException attach = assertThrows(VfioException.class, () -> device.attach(fresh));
                assertEquals("EFAULT", attach.errnoName(), attach.getMessage());
                assertTrue(attach.getMessage().contains("a DmaBuffer mapped there was closed before it was unmapped"),
                        attach.getMessage());
            } finally {
                device.attach(ioas); // the class's IOAS, whatever happened
            }
            assertEquals(buffer.size(), fresh.unmap(0xa00000, buffer.size()));
        }
        roundTrip(0x400000);
    }

    /**
     * Until its bind, the kernel answers every ioctl, read and mmap of a cdev-opened device with a bare
     * EINVAL, which the usual hints would misread ("no region 0"): the library says what is missing.
     * (A second open of the class's device through its cdev: the kernel allows it, and refuses its bind.)
     */
    @Test
    void aCdevDeviceNotBoundYetIsRefusedWithTheHintToBindIt() throws Exception {
        try (VfioDevice unbound = VfioDevice.openCdev(GuestDevices.EDU)) {
            for (Executable call : List.<Executable>of(unbound::info, () -> unbound.mapBar(0), unbound::reset,
                    unbound::pciConfig)) {
                VfioException refused = assertThrows(VfioException.class, call);
                assertEquals("EINVAL", refused.errnoName(), refused.getMessage());
                assertTrue(refused.getMessage().contains("is not bound yet: call bindIommufd first"), refused.getMessage());
            }
            unbound.close();
            IllegalStateException closed = assertThrows(IllegalStateException.class, unbound::info);
            assertTrue(closed.getMessage().contains("is closed"), "closed, not unbound: " + closed.getMessage());
        }
    }

    @Test
    void copyAndUnmapAllAcrossTwoAddressSpaces() throws Exception {
        try (DmaBuffer buffer = DmaBuffer.allocate(4 * 4096); IoAddressSpace second = IoAddressSpace.allocate(iommufd)) {
            ioas.map(buffer, 0x800000, RW);
            try {
                ioas.copyTo(second, 0x900000, 0x800000, buffer.size(), RW);
                assertEquals(buffer.size(), second.unmapAll());
                assertEquals(0, second.unmapAll());
                VfioException hole = assertThrows(VfioException.class,
                        () -> ioas.copyTo(second, 0x900000, 0x800000, 2 * buffer.size(), RW));
                assertEquals("ENOENT", hole.errnoName(), hole.getMessage());
                assertTrue(hole.getMessage().contains("the source range is not mapped all through"), hole.getMessage());
            } finally {
                ioas.unmap(0x800000, buffer.size());
            }
            // A read-only source copied writable: the kernel says EPERM, which is no matter of privileges.
            ioas.map(buffer, 0x800000, EnumSet.of(Access.READ));
            try {
                VfioException readOnly = assertThrows(VfioException.class,
                        () -> ioas.copyTo(second, 0x900000, 0x800000, buffer.size(), RW));
                assertEquals("EPERM", readOnly.errnoName(), readOnly.getMessage());
                assertTrue(readOnly.getMessage().contains("the source is mapped without WRITE"), readOnly.getMessage());
                assertFalse(readOnly.getMessage().contains("run as root"), readOnly.getMessage());
            } finally {
                ioas.unmap(0x800000, buffer.size());
            }
        }
    }

    @Test
    void allowedIovasSteerKernelChosenIovasAndCannotCoverTheMsiWindow() throws Exception {
        IovaRange window = new IovaRange(0x40000000L, 0x4fffffffL);
        try (IoAddressSpace fresh = IoAddressSpace.allocate(iommufd); DmaBuffer buffer = DmaBuffer.allocate(4096)) {
            fresh.allowIovas(List.of(window));
            long iova = fresh.map(buffer, RW);
            assertTrue(window.contains(iova, 4096), Long.toHexString(iova));
            fresh.unmap(iova, 4096);
            fresh.allowIovas(List.of());
        }
        VfioException msi = assertThrows(VfioException.class,
                () -> ioas.allowIovas(List.of(new IovaRange(0xfee00000L, 0xfeefffffL))));
        assertEquals("EADDRINUSE", msi.errnoName(), msi.getMessage());
        assertTrue(msi.getMessage().contains("reserved region"), msi.getMessage());
    }

    @Test
    void theVfioCompatibilityIoasCanBeSetReadAndCleared() throws Exception {
        assertEquals(OptionalInt.empty(), iommufd.vfioCompatIoas());
        iommufd.setVfioCompatIoas(ioas.id());
        try {
            assertEquals(OptionalInt.of(ioas.id()), iommufd.vfioCompatIoas());
        } finally {
            iommufd.clearVfioCompatIoas();
        }
        assertEquals(OptionalInt.empty(), iommufd.vfioCompatIoas());
    }

    @Test
    void optionsReadAndWrite() throws Exception {
        iommufd.rlimitPerProcess();
        ioas.setHugePages(false);
        assertFalse(ioas.hugePages());
        ioas.setHugePages(true);
        assertTrue(ioas.hugePages());
    }

    @Test
    void aPagingHwPageTableCanReplaceTheIoasAttachment() throws Exception {
        try (HwPageTable hwpt = HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.noneOf(HwptFlag.class))) {
            assertEquals(hwpt.id(), device.attach(hwpt.id()));
            roundTrip(0xa00000);
            VfioBusyException busy = assertThrows(VfioBusyException.class, ioas::close);
            assertTrue(busy.getMessage().contains("IOMMU_DESTROY"), busy.getMessage());
            device.attach(ioas.id());
        }
        roundTrip(0x400000);
    }

    @Test
    void aClosedHwPageTableIsRefusedBeforeTheKernelSeesItsId() throws Exception {
        HwPageTable hwpt = HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.noneOf(HwptFlag.class));
        hwpt.close(); // its id may name the next object the context allocates
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> device.attach(hwpt));
        assertTrue(refused.getMessage().contains("is closed"), refused.getMessage());
        roundTrip(0x400000); // still attached to the IOAS
    }

    @Test
    void aClosedIoasOrOneOfAnotherIommufdIsRefusedBeforeTheKernelSeesItsId() throws Exception {
        IoAddressSpace closed = IoAddressSpace.allocate(iommufd);
        closed.close();
        try (IoAddressSpace heir = IoAddressSpace.allocate(iommufd)) {
            assertEquals(closed.id(), heir.id(), "the kernel gives the freed id to the next IOAS");
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> device.attach(closed));
            assertTrue(refused.getMessage().contains("ioas " + closed.id() + " is closed"), refused.getMessage());
        }
        try (Iommufd other = Iommufd.open(); IoAddressSpace foreign = IoAddressSpace.allocate(other)) {
            IllegalArgumentException elsewhere = assertThrows(IllegalArgumentException.class, () -> device.attach(foreign));
            assertTrue(elsewhere.getMessage().contains("which this device is bound to"), elsewhere.getMessage());
        }
        roundTrip(0x400000); // still attached to its own IOAS, mapped
    }

    @Test
    void dmaToAnIovaJustUnmappedNeitherWritesNorReadsTheMemoryBehindIt() throws Exception {
        DmaIsolation.check(edu, ioas);
        roundTrip(0x400000);
    }

    /**
     * edu cannot take I/O page faults, and each kernel's refusal says why: 6.12 puts a fault queue
     * only on a nested page table, so the paging one is refused; 6.13+ accepts the table, and then
     * attaching edu fails because edu has no PRI capability. edu does DMA through its IOAS after.
     */
    @Test
    void eduOnAFaultingPagingTableIsRefusedFor612sNestedOnlyFaultsOrFrom613ForItsMissingPri() throws Exception {
        try (FaultQueue queue = FaultQueue.allocate(iommufd)) {
            if (KernelVersion.running().atLeast(6, 13)) {
                try (HwPageTable hwpt = HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.noneOf(HwptFlag.class), queue)) {
                    VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, () -> device.attach(hwpt));
                    assertEquals("ENODEV", e.errnoName());
                    assertTrue(e.getMessage().contains("VFIO_DEVICE_ATTACH_IOMMUFD_PT") && e.getMessage().contains(
                            GuestDevices.EDU + " has no PRI capability in its config space"), e.getMessage());
                } finally {
                    // Intel's driver blocks edu's DMA before it refuses, and leaves it blocked, while iommufd
                    // still counts edu on its IOAS (attaching that again changes nothing): attach afresh, also
                    // when an assertion failed, so the class's later tests get a working edu.
                    device.detach();
                    device.attach(ioas.id());
                }
            } else {
                VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, () -> HwPageTable.allocate(iommufd,
                        deviceId, ioas.id(), EnumSet.noneOf(HwptFlag.class), queue));
                assertEquals("EOPNOTSUPP", e.errnoName());
                assertTrue(e.getMessage().contains("nested page tables"), e.getMessage());
            }
        }
        roundTrip(0x400000);
    }
}
