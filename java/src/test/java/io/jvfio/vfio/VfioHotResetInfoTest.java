package io.jvfio.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.NativeConstants;
import io.jvfio.internal.VfioConstants;
import io.jvfio.pci.PciAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hot reset info and its device array, decoded from byte fixtures laid out with the kernel's offsets. */
class VfioHotResetInfoTest {
    private static final NativeConstants C = VfioConstants.C;
    private static final int DEVICES = C.offsetOf("vfio_pci_hot_reset_info", "devices");
    private static final int STRIDE = C.sizeOf("vfio_pci_dependent_device");

    private final ByteBuffer b = ByteBuffer.allocate(DEVICES + 4 * STRIDE).order(ByteOrder.LITTLE_ENDIAN);

    private void info(int flags, int count) {
        b.putInt(C.offsetOf("vfio_pci_hot_reset_info", "argsz"), DEVICES + count * STRIDE);
        b.putInt(C.offsetOf("vfio_pci_hot_reset_info", "flags"), flags);
        b.putInt(C.offsetOf("vfio_pci_hot_reset_info", "count"), count);
    }

    private void device(int i, int groupId, int segment, int bus, int devfn) {
        int at = DEVICES + i * STRIDE;
        b.putInt(at + C.offsetOf("vfio_pci_dependent_device", "group_id"), groupId);
        b.putShort(at + C.offsetOf("vfio_pci_dependent_device", "segment"), (short) segment);
        b.put(at + C.offsetOf("vfio_pci_dependent_device", "bus"), (byte) bus);
        b.put(at + C.offsetOf("vfio_pci_dependent_device", "devfn"), (byte) devfn);
    }

    private VfioHotResetInfo decode() {
        return VfioHotResetInfo.decode(b.array(), C);
    }

    @Test
    void everyDependentDeviceIsDecoded() {
        info(0x1, 3);
        device(0, 7, 0, 0x01, 0x00);
        device(1, 8, 0xabcd, 0xff, (0x1f << 3) | 7);
        device(2, 9, 0, 0x3a, (0x04 << 3) | 2);
        VfioHotResetInfo r = decode();
        assertEquals(0x1, r.rawFlags());
        assertEquals(List.of(
                new VfioHotResetInfo.DependentDevice(7, PciAddress.parse("0000:01:00.0")),
                new VfioHotResetInfo.DependentDevice(8, PciAddress.parse("abcd:ff:1f.7")),
                new VfioHotResetInfo.DependentDevice(9, PciAddress.parse("0000:3a:04.2"))), r.devices());
    }

    @Test
    void noDependentDevices() {
        info(0, 0);
        assertTrue(decode().devices().isEmpty());
    }

    @Test
    void aCountBeyondTheBufferIsAnError() {
        info(0, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::decode);
        assertEquals("hot reset info claims 5 devices beyond the " + b.capacity() + " info bytes", e.getMessage());
        info(0, -1);
        assertThrows(IllegalArgumentException.class, this::decode, "the count is unsigned");
    }

    @Test
    void theDeviceListCannotBeChanged() {
        info(0, 1);
        device(0, 7, 0, 1, 0);
        assertThrows(UnsupportedOperationException.class, () -> decode().devices().clear());
    }
}
