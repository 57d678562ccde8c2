package io.jvfio.testing;

import io.jvfio.VfioException;
import io.jvfio.fault.FaultSource;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import java.util.Objects;

/**
 * The kernel's iommufd test mock as a {@link io.jvfio.fault.FaultServer}'s fault source: the server
 * attaches it (a {@link MockIommuDevice} over its IOAS and fault queue) and closes it; {@link #device()}
 * raises the page requests.
 */
public final class MockFaultSource implements FaultSource {
    private final MockIommuDevice.Topology topology;
    private MockIommuDevice device;
    private boolean closed;

    /** A source not attached yet, faulting through a nested table: give it to {@link io.jvfio.fault.FaultServer#forSource}. */
    public MockFaultSource() {
        this(MockIommuDevice.Topology.NESTED);
    }

    /** A source not attached yet, faulting through a table of {@code topology} (PAGING needs Linux 6.13+). */
    public MockFaultSource(MockIommuDevice.Topology topology) {
        this.topology = Objects.requireNonNull(topology, "topology");
    }

    /** Where guest memory goes unless the server is told otherwise: the start of the mock's aperture. */
    @Override
    public long defaultIova() {
        return MockIommuDevice.aperture().start();
    }

    @Override
    public synchronized void attach(IoAddressSpace ioas, FaultQueue queue) throws VfioException {
        if (device != null || closed) {
            throw new IllegalStateException(this + " is attached once only");
        }
        device = MockIommuDevice.create(ioas, queue, topology);
    }

    /** The mock device, to trigger faults with; throws before {@link #attach} and after {@link #close}. */
    public synchronized MockIommuDevice device() {
        if (device == null || closed) {
            throw new IllegalStateException(this + (closed ? " is closed" : " is not attached to a fault server yet"));
        }
        return device;
    }

    @Override
    public synchronized void close() throws VfioException {
        if (!closed) {
            closed = true;
            if (device != null) {
                device.close();
            }
        }
    }

    @Override
    public String toString() {
        return topology == MockIommuDevice.Topology.NESTED ? "the iommufd test mock"
                : "the iommufd test mock on a paging table";
    }
}
