package io.jvfio.memory;

/** What a device may do with memory mapped for DMA. */
public enum Access {
    READ,
    WRITE
}
