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
        iommufd = Iommufd.open();
        ioas = IoAddressSpace.allocate(iommufd);
        queue = FaultQueue.allocate(iommufd);
        mock = MockIommuDevice.create(ioas, queue);
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
