package io.jvfio.pci;

import java.util.Optional;
import java.util.OptionalInt;

/** What sysfs says about one PCI function. */
public record PciDeviceInfo(PciAddress address, int vendor, int device, int classCode,
                            Optional<String> driver, OptionalInt iommuGroup) {

    /** e.g. "1234:11e8". */
    public String ids() {
        return String.format("%04x:%04x", vendor, device);
    }

    /** The base class and subclass, e.g. "network controller" for 0x02xxxx. */
    public String className() {
        return PciClass.describe(classCode);
    }
}
