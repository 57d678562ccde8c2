package io.jvfio.vfio;

import java.util.EnumSet;

/** VFIO_DEVICE_GET_IRQ_INFO: how many vectors an IRQ index has and how they behave. */
public record VfioIrqInfo(int index, int count, EnumSet<IrqFlag> flags, int rawFlags) {
    public String name() {
        return PciIndex.irqName(index);
    }
}
