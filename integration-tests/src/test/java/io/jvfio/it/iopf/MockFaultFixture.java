package io.jvfio.it.iopf;

import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.testing.MockIommuDevice;
import java.util.EnumSet;
import java.util.Set;

/** An iommufd context with an IOAS, a fault queue and the kernel's mock device faulting into it. */
final class MockFaultFixture implements AutoCloseable {
    final Iommufd iommufd;
    final IoAddressSpace ioas;
    final FaultQueue queue;
    final MockIommuDevice mock;
    private boolean mockClosed;

    MockFaultFixture() throws VfioException {
        this(MockIommuDevice.Topology.NESTED);
    }

    MockFaultFixture(MockIommuDevice.Topology topology) throws VfioException {
        this(topology, EnumSet.noneOf(HwptFlag.class));
    }

    /** With {@code mappingFlags} on the table the IOAS's mappings land in (see {@link MockIommuDevice#create}). */
    MockFaultFixture(MockIommuDevice.Topology topology, Set<HwptFlag> mappingFlags) throws VfioException {
        iommufd = Iommufd.open();
        FaultQueue q = null;
        try {
            ioas = IoAddressSpace.allocate(iommufd);
            queue = q = FaultQueue.allocate(iommufd);
            mock = MockIommuDevice.create(ioas, queue, topology, mappingFlags);
        } catch (VfioException | RuntimeException e) {
            if (q != null) {
                q.close();
            }
            iommufd.close(); // closing /dev/iommu frees the IOAS with it
            throw e;
        }
    }

    /** Takes the mock device and its page tables away first, leaving the queue with nothing that faults into it. */
    void closeMock() throws VfioException {
        if (!mockClosed) {
            mockClosed = true;
            mock.close();
        }
    }

    @Override
    public void close() throws VfioException {
        closeMock();
        queue.close();
        ioas.close();
        iommufd.close();
    }
}
