package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;

/**
 * What raises page faults for a {@link FaultServer} when no VFIO device does, e.g. the kernel's
 * iommufd test mock (jvfio-testing's {@code MockFaultSource}). It is treated as
 * {@link DeviceFaultMode#ARBITRARY_FAULTS}: it may fault anywhere. The server allocates the fault
 * queue and calls {@link #attach} once, before it serves; it closes the source after its loop has
 * stopped and before it unmaps guest memory. Its {@code toString()} names it in messages.
 */
public interface FaultSource extends AutoCloseable {
    /** Where the source sees guest memory unless {@link FaultServer.Builder#iova} says otherwise. */
    long defaultIova();

    /** Makes the source's page requests on {@code ioas} arrive in {@code queue}. */
    void attach(IoAddressSpace ioas, FaultQueue queue) throws VfioException;

    /** Detaches (the kernel answers pending faults INVALID) and frees what {@link #attach} made. */
    @Override
    void close() throws VfioException;
}
