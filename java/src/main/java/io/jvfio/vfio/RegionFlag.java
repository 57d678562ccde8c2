package io.jvfio.vfio;

import io.jvfio.internal.VfioConstants;
import java.util.EnumSet;

/** VFIO_REGION_INFO_FLAG_*. */
public enum RegionFlag {
    READ("VFIO_REGION_INFO_FLAG_READ"),
    WRITE("VFIO_REGION_INFO_FLAG_WRITE"),
    MMAP("VFIO_REGION_INFO_FLAG_MMAP"),
    CAPS("VFIO_REGION_INFO_FLAG_CAPS");

    private final String constant;

    RegionFlag(String constant) {
        this.constant = constant;
    }

    public int bit() {
        return VfioConstants.C.getInt(constant);
    }

    public static EnumSet<RegionFlag> of(int raw) {
        EnumSet<RegionFlag> set = EnumSet.noneOf(RegionFlag.class);
        for (RegionFlag f : values()) {
            if ((raw & f.bit()) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}
