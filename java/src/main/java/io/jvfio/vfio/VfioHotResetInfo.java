package io.jvfio.vfio;

import io.jvfio.internal.NativeConstants;
import io.jvfio.pci.PciAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: the devices a PCI hot (slot or bus) reset of a device would
 * also reset. {@code rawFlags} is the kernel's flags word: on a device opened through its cdev, the
 * kernel reports iommufd device ids where a group-opened device gets group numbers.
 */
public record VfioHotResetInfo(int rawFlags, List<DependentDevice> devices) {

    /** One device the reset would also reset: its group number (or iommufd device id) and address. */
    public record DependentDevice(int groupOrDevId, PciAddress address) {}

    public VfioHotResetInfo {
        devices = List.copyOf(devices);
    }

    /** Decodes the struct and its device array from the bytes the kernel filled. */
    static VfioHotResetInfo decode(byte[] info, NativeConstants c) {
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN);
        int flags = b.getInt(c.offsetOf("vfio_pci_hot_reset_info", "flags"));
        long count = Integer.toUnsignedLong(b.getInt(c.offsetOf("vfio_pci_hot_reset_info", "count")));
        int at = c.offsetOf("vfio_pci_hot_reset_info", "devices");
        int stride = c.sizeOf("vfio_pci_dependent_device");
        if (at + count * stride > info.length) {
            throw new IllegalArgumentException("hot reset info claims " + count + " devices beyond the "
                    + info.length + " info bytes");
        }
        List<DependentDevice> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int d = at + i * stride;
            int devfn = b.get(d + c.offsetOf("vfio_pci_dependent_device", "devfn")) & 0xff;
            PciAddress address = new PciAddress(b.getShort(d + c.offsetOf("vfio_pci_dependent_device", "segment")) & 0xffff,
                    b.get(d + c.offsetOf("vfio_pci_dependent_device", "bus")) & 0xff, devfn >> 3, devfn & 7);
            devices.add(new DependentDevice(b.getInt(d + c.offsetOf("vfio_pci_dependent_device", "group_id")), address));
        }
        return new VfioHotResetInfo(flags, devices);
    }
}
