package io.jvfio.it.iopf;

import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.testing.MockIommuDevice;

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
        iommufd = Iommufd.open();
        FaultQueue q = null;
        try {
            ioas = IoAddressSpace.allocate(iommufd);
            queue = q = FaultQueue.allocate(iommufd);
            mock = MockIommuDevice.create(ioas, queue, topology);
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
