package io.jvfio.iommufd;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.InfoBuffer;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.IommufdNative;
import java.util.EnumSet;
import java.util.OptionalLong;

/** IOMMU_GET_HW_INFO for a bound device: the IOMMU type and, for VT-d, its capability registers. */
public record HwInfo(int type, int maxPasidLog2, EnumSet<Capability> capabilities, long rawCapabilities,
                     OptionalLong vtdCapReg, OptionalLong vtdEcapReg) {

    /** IOMMU_HW_CAP_*. */
    public enum Capability {
        DIRTY_TRACKING("IOMMU_HW_CAP_DIRTY_TRACKING"),
        PCI_PASID_EXEC("IOMMU_HW_CAP_PCI_PASID_EXEC"),
        PCI_PASID_PRIV("IOMMU_HW_CAP_PCI_PASID_PRIV");

        private final String constant;

        Capability(String constant) {
            this.constant = constant;
        }

        long bit() {
            return IommufdConstants.C.get(constant);
        }
    }

    public boolean isIntelVtd() {
        return type == IommufdConstants.C.getInt("IOMMU_HW_INFO_TYPE_INTEL_VTD");
    }

    public static HwInfo query(Iommufd iommufd, int deviceId) throws VfioException {
        var c = IommufdConstants.C;
        InfoBuffer data = new InfoBuffer(256);
        InfoBuffer out = new InfoBuffer(c.getInt("sizeof hw_info_out"));
        Errors.check((int) iommufd.call("IOMMU_GET_HW_INFO",
                f -> IommufdNative.getHwInfo(f, deviceId, data.address(), data.capacity(), out.address())),
                "IOMMU_GET_HW_INFO", "device " + deviceId);
        int type = out.getInt(c.getInt("hw_info_out.type"));
        long caps = out.getLong(c.getInt("hw_info_out.capabilities"));
        EnumSet<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability cap : Capability.values()) {
            if ((caps & cap.bit()) != 0) {
                set.add(cap);
            }
        }
        boolean vtd = type == c.getInt("IOMMU_HW_INFO_TYPE_INTEL_VTD");
        return new HwInfo(type, out.getInt(c.getInt("hw_info_out.max_pasid_log2")), set, caps,
                vtd ? OptionalLong.of(data.getLong(c.offsetOf("iommu_hw_info_vtd", "cap_reg"))) : OptionalLong.empty(),
                vtd ? OptionalLong.of(data.getLong(c.offsetOf("iommu_hw_info_vtd", "ecap_reg"))) : OptionalLong.empty());
    }
}
