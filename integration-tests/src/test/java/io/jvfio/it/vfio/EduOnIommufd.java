package io.jvfio.it.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvfio.cli.demo.Edu;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.it.GuestDevices;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.VfioDevice;
import java.util.EnumSet;
import java.util.Set;

/**
 * QEMU's edu on the cdev + iommufd path, as the iommufd guest tests share it: bound to vfio-pci,
 * opened through its cdev, bound to a fresh iommufd, attached to an IOAS, bus master on, BAR0 mapped.
 */
final class EduOnIommufd implements AutoCloseable {
    static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);

    final Iommufd iommufd;
    final VfioDevice device;
    final int deviceId;
    final IoAddressSpace ioas;
    final Mmio bar0;
    final Edu edu;

    EduOnIommufd() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        iommufd = Iommufd.open();
        device = VfioDevice.openCdev(GuestDevices.EDU);
        deviceId = device.bindIommufd(iommufd);
        ioas = IoAddressSpace.allocate(iommufd);
        device.attach(ioas);
        device.pciConfig().setBusMaster(true);
        bar0 = device.mapBar(0);
        edu = new Edu(bar0);
    }

    /** A pattern to edu and back through two pages mapped at {@code iova}: works only if both halves are mapped. */
    void roundTrip(long iova) throws Exception {
        try (DmaBuffer buffer = DmaBuffer.allocate(2 * 4096)) {
            byte[] pattern = new byte[2000];
            for (int i = 0; i < pattern.length; i++) {
                pattern[i] = (byte) (i * 13 + 1);
            }
            buffer.buffer().put(0, pattern);
            ioas.map(buffer, iova, RW);
            try {
                edu.dmaToDevice(iova, 0, pattern.length);
                edu.dmaToRam(0, iova + 4096, pattern.length);
                byte[] back = new byte[pattern.length];
                buffer.buffer().get(4096, back);
                assertArrayEquals(pattern, back);
            } finally {
                assertEquals(buffer.size(), ioas.unmap(iova, buffer.size()));
            }
        }
    }

    @Override
    public void close() throws Exception {
        bar0.close();
        device.detach();
        device.close();
        ioas.close();
        iommufd.close();
    }
}
