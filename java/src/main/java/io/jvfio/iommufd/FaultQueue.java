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
 * refuses to destroy it while one does (EBUSY), and so does {@link #close()}, before touching the
 * kernel, so that a refused close leaves the queue working.
 */
public final class FaultQueue implements AutoCloseable {
    private final Iommufd iommufd;
    private final int id;
    private final OwnedFd fd;
    private int pageTables;
    private boolean destroyed;

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

    synchronized void retain() {
        pageTables++;
    }

    synchronized void release() {
        pageTables--;
    }

    /**
     * Closes the fault fd (it holds a reference on the fault object), then destroys the object. Throws
     * {@link io.jvfio.VfioBusyException} while a {@link HwPageTable} still uses the queue; it then
     * stays usable. Faults left unanswered are answered INVALID by the kernel on destroy.
     */
    @Override
    public synchronized void close() throws VfioException {
        if (destroyed) {
            return;
        }
        if (pageTables > 0) {
            throw VfioException.of("IOMMU_DESTROY", "fault queue " + id, Errno.EBUSY,
                    pageTables + " HW page table(s) still deliver faults to it: close them first");
        }
        destroyed = true;
        fd.close();
        if (iommufd.isOpen()) {
            int r = IommufdNative.destroy(iommufd.fd(), id);
            if (r < 0 && -r != Errno.ENOENT) {
                throw Errors.failure("IOMMU_DESTROY", "fault queue " + id, -r, null);
            }
        }
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
