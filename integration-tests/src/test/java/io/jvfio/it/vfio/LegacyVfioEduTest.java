package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import io.jvfio.cli.demo.Edu;
import io.jvfio.it.GuestDevices;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.vfio.EnabledIrq;
import io.jvfio.vfio.IrqFlag;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.PciConfigSpace;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioGroup;
import io.jvfio.vfio.VfioIommuInfo;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The legacy container/group path against QEMU's edu behind the Intel vIOMMU. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@IntelIommuGuest
class LegacyVfioEduTest {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final int EBADF = 9; // tryMap's -errno, as the kernel's: the same on every Linux architecture

    private VfioContainer container;
    private VfioGroup group;
    private VfioDevice device;
    private Mmio bar0;
    private Edu edu;

    @BeforeAll
    void open() throws Exception {
        int groupNumber = GuestDevices.bindToVfio(GuestDevices.EDU);
        container = VfioContainer.open();
        group = VfioGroup.open(groupNumber);
        group.setContainer(container);
        container.setType1v2();
        device = group.openDevice(GuestDevices.EDU);
        device.pciConfig().setBusMaster(true);
        bar0 = device.mapBar(0);
        edu = new Edu(bar0);
    }

    @AfterAll
    void close() throws Exception {
        bar0.close();
        device.close();
        group.unsetContainer();
        group.close();
        container.close();
    }

    @Test
    void containerSpeaksType1v2AndTheGroupIsViableAndSet() throws Exception {
        assertEquals(0, container.apiVersion(), "VFIO_API_VERSION");
        assertTrue(container.supportsType1v2());
        assertTrue(group.status().viable());
        assertTrue(group.status().containerSet());
    }

    @Test
    void iommuInfoHasPageSizesAndIovaRanges() throws Exception {
        VfioIommuInfo info = container.iommuInfo();
        assertEquals(4096, info.minimumPageSize());
        assertFalse(info.iovaRanges().isEmpty());
        assertFalse(info.allows(0xfee00000L, 4096), "the MSI window is not mappable: " + info.iovaRanges());
    }

    @Test
    void deviceRegionAndIrqInfoMatchSysfs() throws Exception {
        var info = device.info();
        assertTrue(info.isPci());
        assertEquals(PciIndex.NUM_REGIONS, info.numRegions());
        String[] bar0Line = Files.readAllLines(Path.of("/sys/bus/pci/devices/" + GuestDevices.EDU + "/resource")).get(0).split(" ");
        long sysfsSize = Long.decode(bar0Line[1]) - Long.decode(bar0Line[0]) + 1;
        var region = device.regionInfo(PciIndex.bar(0));
        assertEquals(sysfsSize, region.size());
        assertEquals(1 << 20, region.size(), "edu's BAR0 is 1 MiB");
        assertTrue(region.mmappable() && region.readable() && region.writable(), region.flags().toString());
        assertTrue(device.regionInfo(PciIndex.CONFIG).size() >= 256);
        var msi = device.irqInfo(PciIndex.MSI);
        assertTrue(msi.count() >= 1 && msi.flags().contains(IrqFlag.EVENTFD), msi.toString());
        assertEquals(1, device.irqInfo(PciIndex.INTX).count());
    }

    @Test
    void mmioIdAndLivenessRegisters() {
        assertEquals(0x010000ed, bar0.read32(Edu.ID));
        bar0.write32(Edu.LIVENESS, 0x12345678);
        assertEquals(~0x12345678, bar0.read32(Edu.LIVENESS));
        assertThrows(IndexOutOfBoundsException.class, () -> bar0.read32(bar0.size()));
        assertThrows(IllegalArgumentException.class, () -> bar0.read32(2));
    }

    @Test
    void configSpaceHasEdusIds() throws Exception {
        PciConfigSpace config = device.pciConfig();
        assertEquals(0x1234, config.read16(PciConfigSpace.VENDOR_ID));
        assertEquals(0x11e8, config.read16(PciConfigSpace.DEVICE_ID));
        assertTrue((config.read16(PciConfigSpace.COMMAND) & PciConfigSpace.COMMAND_MASTER) != 0);
    }

    @Test
    void dmaRoundTripThroughTheVIommu() throws Exception {
        long iova = 0x100000;
        try (DmaBuffer buffer = DmaBuffer.allocate(2 * 4096)) {
            ByteBuffer mem = buffer.buffer();
            byte[] pattern = new byte[1024];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 7 + 3);
            }
            mem.put(0, pattern);
            container.map(buffer, iova, RW);
            try {
                edu.dmaToDevice(iova, 0, pattern.length);
                edu.dmaToRam(0, iova + 4096, pattern.length);
                byte[] back = new byte[pattern.length];
                mem.get(4096, back);
                assertArrayEquals(pattern, back);
            } finally {
                assertEquals(buffer.size(), container.unmap(iova, buffer.size()));
            }
        }
    }

    @Test
    void dmaToAnIovaJustUnmappedNeitherWritesNorReadsTheMemoryBehindIt() throws Exception {
        DmaIsolation.check(edu, container);
        assertEquals(0x010000ed, bar0.read32(Edu.ID), "the device is still usable");
    }

    @Test
    void msiArrivesOnAnEventFd() throws Exception {
        try (EventFd interrupt = EventFd.create(); EnabledIrq msi = device.enableIrq(PciIndex.MSI, interrupt)) {
            bar0.write32(Edu.IRQ_RAISE, 1);
            assertTrue(interrupt.await(10_000) > 0, "MSI within 10 s");
            assertEquals(1, bar0.read32(Edu.IRQ_STATUS) & 1);
            bar0.write32(Edu.IRQ_ACK, 1);
        }
    }

    @Test
    void intxStaysMaskedUntilUnmasked() throws Exception {
        try (EventFd interrupt = EventFd.create(); EnabledIrq intx = device.enableIrq(PciIndex.INTX, interrupt)) {
            bar0.write32(Edu.IRQ_RAISE, 2);
            assertTrue(interrupt.await(10_000) > 0, "INTx within 10 s");
            bar0.write32(Edu.IRQ_ACK, 2);
            // vfio-pci masked the line when it fired: a second interrupt waits for the unmask.
            bar0.write32(Edu.IRQ_RAISE, 2);
            assertEquals(0, interrupt.await(200), "no INTx while masked");
            device.unmask(PciIndex.INTX, 0);
            assertTrue(interrupt.await(10_000) > 0, "the pending INTx once unmasked");
            bar0.write32(Edu.IRQ_ACK, 2);
            device.unmask(PciIndex.INTX, 0);
        }
    }

    @Test
    void anMsiVectorCanBeFiredFromSoftware() throws Exception {
        try (EventFd interrupt = EventFd.create(); EnabledIrq msi = device.enableIrq(PciIndex.MSI, interrupt)) {
            device.trigger(PciIndex.MSI, 0);
            assertEquals(1, interrupt.await(10_000));
        }
        VfioException off = assertThrows(VfioException.class, () -> device.trigger(PciIndex.MSI, 5));
        assertEquals("VFIO_DEVICE_SET_IRQS", off.operation());
        assertTrue(off.getMessage().contains("MSI, trigger"), off.getMessage());
    }

    @Test
    void badInputsGiveClearErrorsAndLeaveTheDeviceUsable() throws Exception {
        VfioException noRegion = assertThrows(VfioException.class, () -> device.regionInfo(42));
        assertEquals("VFIO_DEVICE_GET_REGION_INFO", noRegion.operation());
        assertEquals("EINVAL", noRegion.errnoName());
        assertTrue(noRegion.getMessage().contains("device " + GuestDevices.EDU + ", index 42"), noRegion.getMessage());
        try (DmaBuffer buffer = DmaBuffer.allocate(2 * 4096)) {
            VfioException misaligned = assertThrows(VfioException.class,
                    () -> container.map(buffer.address(), 4096, 0x100800, RW));
            assertEquals("EINVAL", misaligned.errnoName(), misaligned.getMessage());
            container.map(buffer, 0x300000, RW);
            try {
                VfioException overlap = assertThrows(VfioException.class,
                        () -> container.map(buffer.address(), 4096, 0x301000, RW));
                assertEquals("EEXIST", overlap.errnoName(), overlap.getMessage());
                assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
            } finally {
                container.unmap(0x300000, buffer.size());
            }
            VfioException outside = assertThrows(VfioException.class,
                    () -> container.map(buffer.address(), 4096, 0xfee00000L, RW));
            assertEquals("VFIO_IOMMU_MAP_DMA", outside.operation());
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                    () -> container.map(buffer.address(), 4096, 0x300000, EnumSet.noneOf(Access.class)));
            assertTrue(none.getMessage().startsWith("VFIO_IOMMU_MAP_DMA(") && none.getMessage().contains("no access given"),
                    none.getMessage());
            IllegalArgumentException wraps = assertThrows(IllegalArgumentException.class,
                    () -> container.map(buffer.address(), 2 * 4096, -4096, RW));
            assertTrue(wraps.getMessage().contains("passes the top of the 64-bit IOVA space"), wraps.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> PciIndex.bar(6));
        assertEquals(0x010000ed, bar0.read32(Edu.ID));
    }

    @Test
    void aClosedContainerAnswersMapsWithAnErrnoAndRefusesAnUnmapBeforeItsListenersHear() throws Exception {
        VfioContainer closed = VfioContainer.open();
        List<IovaRange> heard = new ArrayList<>();
        closed.addUnmapListener(heard::add);
        closed.close();
        try (DmaBuffer buffer = DmaBuffer.allocate(4096)) {
            assertEquals(-EBADF, closed.tryMap(buffer.address(), 4096, 0x300000, RW), "EBADF, as the DmaMapper promises");
            VfioException map = assertThrows(VfioException.class, () -> closed.map(buffer.address(), 4096, 0x300000, RW));
            assertEquals("EBADF", map.errnoName());
            assertTrue(map.getMessage().contains("the container is closed"), map.getMessage());
            VfioException unmap = assertThrows(VfioException.class, () -> closed.unmap(0x300000, 4096));
            assertEquals("EBADF", unmap.errnoName());
            assertEquals(List.of(), heard, "the listeners heard of an unmap that was refused");
        }
    }

    /**
     * edu has no reset of its own (no FLR, no PCI power management) and sits on the root bus, which
     * cannot be reset: vfio-pci offers neither a device reset nor a hot reset, and both say so.
     */
    @Test
    void edusMissingResetsAreRefusedClearly() throws Exception {
        assertFalse(device.info().supportsReset(), "vfio-pci offers no reset for edu");
        VfioException reset = assertThrows(VfioException.class, device::reset);
        assertEquals("VFIO_DEVICE_RESET", reset.operation());
        assertTrue(reset.getMessage().contains("function-level reset"), reset.getMessage());
        VfioUnsupportedException hot = assertThrows(VfioUnsupportedException.class, device::hotResetInfo);
        assertEquals("ENODEV", hot.errnoName(), "edu sits on the root bus, which cannot be reset");
        assertTrue(hot.getMessage().contains("bus can be reset"), hot.getMessage());
        assertEquals(0x010000ed, bar0.read32(Edu.ID), "the device is still usable");
    }
}
