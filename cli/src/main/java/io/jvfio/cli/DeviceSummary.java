package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.fault.DevicePolicyTable;
import io.jvfio.pci.GroupViability;
import io.jvfio.pci.PciCapabilities;
import io.jvfio.pci.PciDeviceInfo;
import io.jvfio.pci.PciSysfs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One line of `jvfio list`: what sysfs, config space and the policy table say about a device. */
record DeviceSummary(PciDeviceInfo info, boolean groupViable, List<String> groupOffenders, PciCapabilities capabilities,
                     boolean capabilitiesKnown, DevicePolicyTable.Verdict verdict) {
    /** The config space every PCI function has; the kernel gives a user without CAP_SYS_ADMIN only its first 64 bytes. */
    private static final int CONFIG_SPACE = 256;
    /** What the list shows for capabilities it could not read. */
    static final String UNKNOWN = "unknown";

    static DeviceSummary of(PciDeviceInfo info, PciSysfs sysfs, DevicePolicyTable table) throws VfioException {
        List<String> offenders = info.iommuGroup().isPresent()
                ? GroupViability.offenders(info.iommuGroup().getAsInt(), sysfs) : List.of();
        byte[] config = config(sysfs, info);
        return new DeviceSummary(info, info.iommuGroup().isPresent() && offenders.isEmpty(), offenders,
                PciCapabilities.parse(config), config.length >= CONFIG_SPACE, table.verdict(info.vendor(), info.device()));
    }

    /** Config space past the header needs root; without it the capabilities are unknown, not absent. */
    private static byte[] config(PciSysfs sysfs, PciDeviceInfo info) {
        try {
            return sysfs.readConfig(info.address());
        } catch (VfioException e) {
            return new byte[0];
        }
    }

    /** The fault capabilities for the list, or {@link #UNKNOWN}. */
    String faultCapabilities() {
        return capabilitiesKnown ? capabilities.faultCapabilities() : UNKNOWN;
    }

    /** "yes", "no" (a device of the group is on a host driver) or "no IOMMU". */
    String vfio() {
        if (info.iommuGroup().isEmpty()) {
            return "no IOMMU";
        }
        return groupViable ? "viable" : "not viable";
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bdf", info.address().toString());
        m.put("vendor", String.format("%04x", info.vendor()));
        m.put("device", String.format("%04x", info.device()));
        m.put("class", String.format("%06x", info.classCode()));
        m.put("className", info.className());
        m.put("driver", info.driver().orElse(null));
        m.put("iommuGroup", info.iommuGroup().isPresent() ? info.iommuGroup().getAsInt() : null);
        m.put("groupViable", groupViable);
        m.put("groupOffenders", groupOffenders);
        // null: not readable by this user (config space past the header needs root), not "absent".
        m.put("ats", capabilitiesKnown ? capabilities.ats() : null);
        m.put("pri", capabilitiesKnown ? capabilities.pri() : null);
        m.put("pasid", capabilitiesKnown ? capabilities.pasid() : null);
        m.put("maxPasidWidth", capabilitiesKnown ? capabilities.maxPasidWidth() : null);
        m.put("faultMode", verdict.mode().name());
        m.put("faultModeSource", verdict.source());
        return m;
    }
}
