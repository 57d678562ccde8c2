package io.jvfio.vfio;

import io.jvfio.internal.VfioConstants;
import java.util.EnumSet;

/** VFIO_IRQ_INFO_*. */
public enum IrqFlag {
    EVENTFD("VFIO_IRQ_INFO_EVENTFD"),
    MASKABLE("VFIO_IRQ_INFO_MASKABLE"),
    AUTOMASKED("VFIO_IRQ_INFO_AUTOMASKED"),
    NORESIZE("VFIO_IRQ_INFO_NORESIZE");

    private final String constant;

    IrqFlag(String constant) {
        this.constant = constant;
    }

    public int bit() {
        return VfioConstants.C.getInt(constant);
    }

    public static EnumSet<IrqFlag> of(int raw) {
        EnumSet<IrqFlag> set = EnumSet.noneOf(IrqFlag.class);
        for (IrqFlag f : values()) {
            if ((raw & f.bit()) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}
