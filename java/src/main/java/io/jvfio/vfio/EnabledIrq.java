package io.jvfio.vfio;

import io.jvfio.VfioException;

/**
 * The vectors of one IRQ index routed to eventfds by {@link VfioDevice#enableIrq}. Closing it tears
 * them down (once), unless a later enable of the index superseded it; close it before the eventfds,
 * which the kernel holds until then.
 */
public final class EnabledIrq implements AutoCloseable {
    private final VfioDevice device;
    private final int index;
    private boolean closed;

    EnabledIrq(VfioDevice device, int index) {
        this.device = device;
        this.index = index;
    }

    public int index() {
        return index;
    }

    /**
     * Tears the vectors down; nothing to do once the device is closed (its release tore them down), or
     * once a later {@link VfioDevice#enableIrq} of the same index or a {@link VfioDevice#disableIrq}
     * replaced this routing.
     */
    @Override
    public synchronized void close() throws VfioException {
        if (!closed) {
            closed = true;
            device.release(this);
        }
    }

    @Override
    public String toString() {
        return PciIndex.irqName(index) + " of " + device;
    }
}
