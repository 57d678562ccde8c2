package io.jvfio.pci;

import io.jvfio.VfioException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Why an IOMMU group cannot be used with VFIO: every device in a group must be bound to vfio-pci
 * or left without a driver (pcieport and pci-stub are also fine), or none of them may be opened.
 */
public final class GroupViability {
    private static final Set<String> HARMLESS = Set.of(PciSysfs.VFIO_PCI, "pcieport", "pci-stub");

    private GroupViability() {}

    /** The devices of the group that are bound to a driver that makes it non-viable. */
    public static List<String> offenders(int group, PciSysfs sysfs) throws VfioException {
        List<String> out = new ArrayList<>();
        for (PciAddress a : sysfs.groupDevices(group)) {
            Optional<String> driver = sysfs.driver(a);
            if (driver.isPresent() && !HARMLESS.contains(driver.get())) {
                out.add(a + " is still bound to " + driver.get());
            }
        }
        return out;
    }

    /**
     * The sentence to show when a group is not viable, e.g. "group 7 is not viable: 0000:00:03.0 is
     * still bound to e1000e; unbind it or bind all devices of the group to vfio-pci".
     */
    public static String explain(int group, PciSysfs sysfs) throws VfioException {
        List<String> offenders = offenders(group, sysfs);
        if (offenders.isEmpty()) {
            return "group " + group + " is not viable although every device in it is bound to vfio-pci or"
                    + " unbound; a device may be in use by another process";
        }
        return "group " + group + " is not viable: " + String.join(", ", offenders) + "; unbind "
                + (offenders.size() == 1 ? "it" : "them") + " or bind all devices of the group to vfio-pci";
    }
}
