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
                     DevicePolicyTable.Verdict verdict) {

    static DeviceSummary of(PciDeviceInfo info, PciSysfs sysfs, DevicePolicyTable table) throws VfioException {
        List<String> offenders = info.iommuGroup().isPresent()
                ? GroupViability.offenders(info.iommuGroup().getAsInt(), sysfs) : List.of();
        return new DeviceSummary(info, info.iommuGroup().isPresent() && offenders.isEmpty(), offenders,
                capabilities(sysfs, info), table.verdict(info.vendor(), info.device()));
    }

    /** Config space past the header needs root; without it the list shows no fault capabilities. */
    static PciCapabilities capabilities(PciSysfs sysfs, PciDeviceInfo info) {
        try {
            return PciCapabilities.parse(sysfs.readConfig(info.address()));
        } catch (VfioException e) {
            return PciCapabilities.parse(new byte[0]);
        }
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
        m.put("ats", capabilities.ats());
        m.put("pri", capabilities.pri());
        m.put("pasid", capabilities.pasid());
        m.put("maxPasidWidth", capabilities.maxPasidWidth());
        m.put("faultMode", verdict.mode().name());
        m.put("faultModeSource", verdict.source());
        return m;
    }
}
