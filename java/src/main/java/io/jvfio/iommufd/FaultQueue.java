package io.jvfio.iommufd;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.FaultNative;
import io.jvfio.internal.InfoBuffer;
import io.jvfio.internal.IommufdNative;
import io.jvfio.internal.OwnedFd;

/**
 * An iommufd fault queue (IOMMU_FAULT_QUEUE_ALLOC): a fault object id to give HW page tables, and a
 * fault fd from which page requests are read and to which responses are written. Serve it with
 * {@link io.jvfio.fault.FaultServiceLoop}. Close it after the page tables that use it: the kernel
 * refuses to destroy it while one does (EBUSY).
 */
public final class FaultQueue implements AutoCloseable {
    private final Iommufd iommufd;
    private final int id;
    private final OwnedFd fd;
    private volatile boolean destroyed;

    private FaultQueue(Iommufd iommufd, int id, OwnedFd fd) {
        this.iommufd = iommufd;
        this.id = id;
        this.fd = fd;
    }

    public static FaultQueue allocate(Iommufd iommufd) throws VfioException {
        InfoBuffer out = new InfoBuffer(8);
        int fd = FaultNative.queueAlloc(iommufd.fd(), out.address());
        if (fd < 0) {
            throw Errors.failure("IOMMU_FAULT_QUEUE_ALLOC", iommufd.toString(), -fd,
                    -fd == Errno.ENOTTY ? "fault queues need Linux 6.11 or later with CONFIG_IOMMUFD" : null);
        }
        int id = out.getInt(0);
        return new FaultQueue(iommufd, id, new OwnedFd(fd, "fault queue " + id));
    }

    /** The fault object id, for IOMMU_HWPT_ALLOC with IOMMU_HWPT_FAULT_ID_VALID. */
    public int id() {
        return id;
    }

    /** The fault fd: readable when page requests are pending. */
    public int fd() {
        return fd.get();
    }

    public Iommufd iommufd() {
        return iommufd;
    }

    /**
     * Destroys the fault object, then closes its fd. Throws {@link io.jvfio.VfioBusyException} while a
     * page table still uses it; the queue then stays usable.
     */
    @Override
    public synchronized void close() throws VfioException {
        if (!destroyed && iommufd.isOpen() && fd.isOpen()) {
            int r = IommufdNative.destroy(iommufd.fd(), id);
            if (r < 0 && -r != Errno.ENOENT) {
                throw Errors.failure("IOMMU_DESTROY", "fault queue " + id, -r, -r == Errno.EBUSY
                        ? "a HW page table still delivers faults to it: destroy the page table first" : null);
            }
        }
        destroyed = true;
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
