package com.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import io.jvfio.testing.junit.GuestDevice;
import io.jvfio.testing.junit.VfioGuest;
import io.jvfio.testing.junit.VfioGuestDevices;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.VfioDevice;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** QEMU's edu device copies a pattern from RAM and back through the guest's Intel vIOMMU. */
@VfioGuest(devices = GuestDevice.EDU)
class EduDmaTest {
    // edu's registers (QEMU docs/specs/edu.rst) and the IOVA where the test maps its buffer.
    static final int DMA_SRC = 0x80, DMA_DST = 0x88, DMA_COUNT = 0x90, DMA_CMD = 0x98;
    static final long EDU_BUFFER = 0x40000, IOVA = 0x100000;

    @Test
    void dmaRoundTrip(VfioGuestDevices devices) throws Exception {
        PciAddress edu = devices.address(GuestDevice.EDU);
        PciSysfs.system().bindToVfioPci(edu);
        try (Iommufd iommufd = Iommufd.open();
             IoAddressSpace ioas = IoAddressSpace.allocate(iommufd);
             VfioDevice device = VfioDevice.openCdev(edu);
             DmaBuffer buffer = DmaBuffer.allocate(8192)) {
            device.bindIommufd(iommufd);
            device.attach(ioas);
            device.pciConfig().setBusMaster(true);
            byte[] pattern = "hello from the guest's RAM, through the vIOMMU".getBytes();
            buffer.buffer().put(0, pattern);
            ioas.map(buffer, IOVA, EnumSet.of(Access.READ, Access.WRITE));
            try (Mmio bar0 = device.mapBar(0)) {
                dma(bar0, IOVA, EDU_BUFFER, pattern.length, 0);          // RAM to the device
                dma(bar0, EDU_BUFFER, IOVA + 4096, pattern.length, 2);   // and back, one page further
            } finally {
                assertEquals(8192, ioas.unmap(IOVA, 8192));
            }
            byte[] back = new byte[pattern.length];
            buffer.buffer().get(4096, back);
            assertArrayEquals(pattern, back);
        }
    }

    private static void dma(Mmio bar0, long src, long dst, int count, int toRam) throws InterruptedException {
        bar0.write64(DMA_SRC, src);
        bar0.write64(DMA_DST, dst);
        bar0.write64(DMA_COUNT, count);
        bar0.write64(DMA_CMD, 1 | toRam);
        for (int ms = 0; (bar0.read64(DMA_CMD) & 1) != 0; ms++) {
            if (ms > 20_000) {
                throw new AssertionError("edu's DMA did not finish in 20 s");
            }
            Thread.sleep(1);
        }
    }
}
