package io.jvfio.fault;

/** How a device's DMA may be faulted (the device policy table's verdict). */
public enum DeviceFaultMode {
    /** The device tolerates a fault on any DMA: map everything on demand. */
    ARBITRARY_FAULTS,
    /** Some DMA must not fault (e.g. descriptor rings): pin those ranges, fault the rest. */
    SELECTIVE,
    /** The device cannot take faults: pin and map all its memory eagerly (the safe default). */
    NONE
}
