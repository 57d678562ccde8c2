package io.jvfio.cli;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.vfio.EnabledIrq;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioDevice;
import java.io.PrintWriter;
import java.util.Optional;

/**
 * vfio-pci's request for a device back, for `jvfio serve`: an unbind, a remove or a hot unplug
 * waits in the kernel until the holder closes the device, and asks it through the REQ interrupt. A
 * holder that never listens keeps the unbind waiting for as long as it runs.
 */
final class DeviceReleaseRequest implements AutoCloseable {
    private final EventFd eventFd;
    private final EnabledIrq irq;

    private DeviceReleaseRequest(EventFd eventFd, EnabledIrq irq) {
        this.eventFd = eventFd;
        this.irq = irq;
    }

    /** Listens for the kernel's request for {@code device}; none to listen for without a device, or where it cannot be had (said on {@code err}). */
    static DeviceReleaseRequest listen(Optional<VfioDevice> device, PrintWriter err) throws VfioException {
        if (device.isEmpty()) {
            return new DeviceReleaseRequest(null, null);
        }
        EventFd eventFd = null;
        try {
            eventFd = EventFd.create();
            return new DeviceReleaseRequest(eventFd, device.get().enableIrq(PciIndex.REQ, eventFd));
        } catch (VfioException | RuntimeException e) {
            if (eventFd != null) {
                eventFd.close();
            }
            err.println("jvfio serve: cannot hear the kernel ask for the device back (" + e.getMessage() + "): an unbind of it"
                    + " will wait until serve stops");
            err.flush();
            return new DeviceReleaseRequest(null, null);
        }
    }

    /** Whether the kernel has asked for the device since the last call (it asks again every ten seconds until it has it). */
    boolean requested() throws VfioException {
        return eventFd != null && eventFd.tryRead() > 0;
    }

    /** Stops listening; after the device's close, where the kernel stopped already, nothing is left but the eventfd. */
    @Override
    public void close() throws VfioException {
        if (eventFd == null) {
            return;
        }
        try {
            irq.close();
        } finally {
            eventFd.close();
        }
    }
}
