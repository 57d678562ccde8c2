package io.jvfio.memory;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Page-aligned memory for DMA: anonymous, or backed by a memfd (optionally on hugetlbfs) so that
 * it can be shared with another process. The buffer owns its mapping (and its memfd): mapping it
 * for DMA does not transfer ownership, so unmap it from the IOMMU before closing it.
 */
public final class DmaBuffer implements AutoCloseable {
    /** 2 MiB, the x86-64 huge page size that hugetlb-backed buffers are rounded to. */
    public static final long HUGE_PAGE_SIZE = 2L << 20;

    private final long address;
    private final long size;
    private final OwnedFd memfd;
    private final String description;
    private volatile boolean closed;

    private DmaBuffer(long address, long size, OwnedFd memfd, String description) {
        this.address = address;
        this.size = size;
        this.memfd = memfd;
        this.description = description;
    }

    /** Anonymous private memory, rounded up to whole pages and populated (faulted in) now. */
    public static DmaBuffer allocate(long size) throws VfioException {
        long length = roundUp(size, UnixConstants.PAGE_SIZE);
        long addr = UnixNative.mmap(length, UnixConstants.PROT_READ | UnixConstants.PROT_WRITE,
                UnixConstants.MAP_PRIVATE | UnixConstants.MAP_ANONYMOUS | UnixConstants.MAP_POPULATE, -1, 0);
        Errors.check(addr, "mmap", "anonymous DMA buffer of " + length + " bytes");
        return new DmaBuffer(addr, length, null, "DMA buffer of " + length + " bytes");
    }

    /**
     * Anonymous private memory that is not populated: pages appear when first touched. This is the
     * guest-memory shape that the IOPF handler maps on demand.
     */
    public static DmaBuffer reserve(long size) throws VfioException {
        long length = roundUp(size, UnixConstants.PAGE_SIZE);
        long addr = UnixNative.mmap(length, UnixConstants.PROT_READ | UnixConstants.PROT_WRITE,
                UnixConstants.MAP_PRIVATE | UnixConstants.MAP_ANONYMOUS | UnixConstants.MAP_NORESERVE, -1, 0);
        Errors.check(addr, "mmap", "reserved memory of " + length + " bytes");
        return new DmaBuffer(addr, length, null, "reserved memory of " + length + " bytes");
    }

    /** Shared memory backed by a memfd; with {@code hugePages}, 2 MiB pages from hugetlbfs. */
    public static DmaBuffer memfd(String name, long size, boolean hugePages) throws VfioException {
        long length = roundUp(size, hugePages ? HUGE_PAGE_SIZE : UnixConstants.PAGE_SIZE);
        int fd = UnixNative.memfdCreate(name, hugePages ? UnixConstants.MFD_HUGETLB : 0);
        String what = "memfd '" + name + "' of " + length + " bytes" + (hugePages ? " (hugetlb)" : "");
        Errors.check(fd, "memfd_create", what);
        OwnedFd owned = new OwnedFd(fd, what);
        try {
            Errors.check(UnixNative.ftruncate(fd, length), "ftruncate", what);
            long addr = UnixNative.mmap(length, UnixConstants.PROT_READ | UnixConstants.PROT_WRITE,
                    UnixConstants.MAP_SHARED | UnixConstants.MAP_POPULATE, fd, 0);
            if (addr < 0) {
                throw Errors.failure("mmap", what, (int) -addr, hugePages
                        ? "no free huge pages? see /proc/sys/vm/nr_hugepages" : null);
            }
            return new DmaBuffer(addr, length, owned, what);
        } catch (VfioException | RuntimeException e) {
            owned.closeQuietly(e);
            throw e;
        }
    }

    private static long roundUp(long size, long unit) {
        if (size <= 0) {
            throw new IllegalArgumentException("a DMA buffer needs a positive size, not " + size);
        }
        return (size + unit - 1) / unit * unit;
    }

    /** The user virtual address, as given to VFIO_IOMMU_MAP_DMA or IOMMU_IOAS_MAP. */
    public long address() {
        checkOpen();
        return address;
    }

    public long size() {
        return size;
    }

    /** The memfd backing this buffer, or -1 for anonymous memory. */
    public int memfd() {
        return memfd == null ? -1 : memfd.get();
    }

    /** A little-endian view of the whole buffer; invalid once the buffer is closed. */
    public ByteBuffer buffer() {
        checkOpen();
        return UnixNative.wrap(address, size).order(ByteOrder.LITTLE_ENDIAN);
    }

    public boolean isOpen() {
        return !closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    @Override
    public synchronized void close() throws VfioException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Errors.check(UnixNative.munmap(address, size), "munmap", description);
        } finally {
            if (memfd != null) {
                memfd.close();
            }
        }
    }

    @Override
    public String toString() {
        return description + String.format(" at 0x%x", address) + (closed ? " (closed)" : "");
    }
}
