package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.memory.IovaRange;
import io.jvfio.vfio.VfioDevice;
import java.util.List;

/**
 * Vendor knowledge about a {@link DeviceFaultMode#SELECTIVE} device: which of its DMA must never
 * fault (descriptor rings, doorbells in memory, anything the device cannot retry). Those ranges are
 * pinned and mapped before the device runs; the rest of its memory is mapped on demand. The fault
 * loop knows nothing of devices; what a device tolerates lives here.
 */
@FunctionalInterface
public interface FaultMediator {
    /**
     * The IOVA ranges inside {@code memory} that {@code device} must never fault on. Called once,
     * before the device is attached; {@code device} is open and bound, so its config space and BARs
     * can be read.
     */
    List<IovaRange> nonFaultable(VfioDevice device, GuestRegion memory) throws VfioException;
}
