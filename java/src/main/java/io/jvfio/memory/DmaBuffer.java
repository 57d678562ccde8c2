package io.jvfio.memory;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.NativeLibrary;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Page-aligned memory for DMA: anonymous, or backed by a memfd (optionally on hugetlbfs) so that
 * it can be shared with another process. The buffer owns its mapping (and its memfd): mapping it
 * for DMA does not transfer ownership, so unmap it from the IOMMU before closing it.
 * <p>
 * Views from {@link #buffer()} and {@link #buffer(long, int)} can outlive {@link #close()}, and a
 * plain munmap would let a stale view write into whatever the kernel maps at the same address next.
 * So while views may be reachable, close replaces the memory with a tombstone (an empty memfd
 * mapped over the range, {@link UnixNative#mmapTombstone}): the memory is released, the addresses
 * stay taken, and a stale access throws {@link InternalError} (HotSpot's answer to SIGBUS in a
 * ByteBuffer access, in the interpreter and in compiled code, on JDK 17 and 25; JDK 17 may raise it
 * a little after the access, in the same thread, as for a truncated MappedByteBuffer) instead of
 * corrupting memory. A JDK routine that reads the buffer in native code (CRC32.update(ByteBuffer),
 * say) takes the SIGBUS outside HotSpot's handling and ends the JVM, still without touching other
 * memory. The range is unmapped when the last view (and every buffer sliced or duplicated from
 * one) is garbage. (A raw {@link #address()} kept past close is the caller's to stop using.) A
 * usage count guarding every access was the alternative; it would cost every get and put and still
 * cannot guard a ByteBuffer once handed out.
 */
public final class DmaBuffer implements AutoCloseable {
    /** 2 MiB, the x86-64 huge page size that hugetlb-backed buffers are rounded to. */
    public static final long HUGE_PAGE_SIZE = 2L << 20;
    /** memfd_create's limit on a name: 249 bytes (NAME_MAX less the "memfd:" prefix), without the NUL. */
    private static final int MEMFD_NAME_MAX = 249;

    private final long address;
    private final long size;
    private final OwnedFd memfd;
    private final String description;
    private volatile boolean closed;
    /** The buffer every {@link #buffer()} duplicates (so views keep it reachable); null until the first and after close. */
    private ByteBuffer views;
    /** The views handed out that may still be reachable: what keeps the range reserved after close. */
    private final Reservation reservation;

    private DmaBuffer(long address, long size, OwnedFd memfd, String description) {
        this.address = address;
        this.size = size;
        this.memfd = memfd;
        this.description = description;
        this.reservation = new Reservation(address, size, description);
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

    /**
     * Shared memory backed by a memfd (close-on-exec), mapped and populated now; with
     * {@code hugePages}, 2 MiB pages from hugetlbfs, which the kernel's huge page pool must hold
     * (the error says how to reserve them). {@link #memfd()} is the file, e.g. for
     * {@code IoAddressSpace.mapFile}; {@link #close()} unmaps it and closes the file.
     */
    public static DmaBuffer memfd(String name, long size, boolean hugePages) throws VfioException {
        Objects.requireNonNull(name, "name");
        int nameBytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (nameBytes > MEMFD_NAME_MAX) {
            throw new IllegalArgumentException("a memfd name is at most " + MEMFD_NAME_MAX + " bytes (memfd_create), not "
                    + nameBytes + " (UTF-8, " + name.length() + " characters): '" + name + "'");
        }
        long length = roundUp(size, hugePages ? HUGE_PAGE_SIZE : UnixConstants.PAGE_SIZE);
        int fd = UnixNative.memfdCreate(name, hugePages ? UnixConstants.MFD_HUGETLB | UnixConstants.MFD_HUGE_2MB : 0);
        String what = "memfd '" + name + "' of " + length + " bytes" + (hugePages ? " (hugetlb)" : "");
        if (fd < 0) {
            throw Errors.failure("memfd_create", what, -fd, hugePages ? HugePages.hint(-fd, length) : null);
        }
        OwnedFd owned = new OwnedFd(fd, what);
        try {
            int r = UnixNative.ftruncate(fd, length);
            if (r < 0) {
                throw Errors.failure("ftruncate", what, -r, hugePages ? HugePages.hint(-r, length) : null);
            }
            long addr = UnixNative.mmap(length, UnixConstants.PROT_READ | UnixConstants.PROT_WRITE,
                    UnixConstants.MAP_SHARED | UnixConstants.MAP_POPULATE, fd, 0);
            if (addr < 0) {
                throw Errors.failure("mmap", what, (int) -addr, hugePages ? HugePages.hint((int) -addr, length) : null);
            }
            return new DmaBuffer(addr, length, owned, what);
        } catch (VfioException | RuntimeException e) {
            owned.closeQuietly(e);
            throw e;
        }
    }

    /** The base page size (sysconf(_SC_PAGESIZE)): what buffers are rounded to and IOVAs aligned to. */
    public static int pageSize() {
        return UnixConstants.PAGE_SIZE;
    }

    /**
     * RLIMIT_MEMLOCK's soft limit in bytes ({@link Long#MAX_VALUE} for unlimited): DMA mappings pin
     * memory against it.
     */
    public static long memlockLimit() throws VfioException {
        NativeLibrary.ensureAvailability();
        long limit = UnixNative.memlockLimit();
        if (limit < 0) {
            throw Errors.failure("getrlimit", "RLIMIT_MEMLOCK", (int) -limit);
        }
        return limit;
    }

    private static long roundUp(long size, long unit) {
        if (size <= 0) {
            throw new IllegalArgumentException("a DMA buffer needs a positive size, not " + size);
        }
        if (size > Long.MAX_VALUE - unit + 1) {
            throw new IllegalArgumentException("a DMA buffer of " + size + " bytes is more than a process can address");
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

    /**
     * The memfd backing this buffer, or -1 for anonymous memory; a number valid until
     * {@link #close()}, which waits for an {@code IoAddressSpace.mapFile} of this buffer in flight.
     */
    public int memfd() {
        return memfd == null ? -1 : memfd.get();
    }

    /**
     * A little-endian view of the whole buffer, which must be smaller than 2 GiB (a ByteBuffer's
     * limit; take views of parts of a larger one with {@link #buffer(long, int)}). After
     * {@link #close()} an access through it fails with {@link InternalError} (see the class comment);
     * it never reaches memory mapped later at the same address.
     */
    public synchronized ByteBuffer buffer() {
        checkOpen();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalStateException(description + " is larger than a ByteBuffer can be (2 GiB - 1 bytes): take a"
                    + " view of part of it with buffer(offset, length)");
        }
        if (views == null) {
            views = reservation.view(address, (int) size);
        }
        return views.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * A little-endian view of {@code length} bytes from {@code offset}, in a buffer of any size; after
     * {@link #close()}, as {@link #buffer()}. Each call makes a new view: keep it rather than asking
     * for one per access.
     */
    public synchronized ByteBuffer buffer(long offset, int length) {
        checkOpen();
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException(String.format("a view of %d bytes at offset 0x%x is not inside %s", length,
                    offset, this));
        }
        return reservation.view(address + offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    public boolean isOpen() {
        return !closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    /**
     * Releases the memory. If views were handed out, the address range stays reserved until they
     * are all garbage; if that cannot be arranged (the tombstone mmap fails), the memory stays
     * mapped rather than be reused under a stale view, and the error says so.
     */
    @Override
    public synchronized void close() throws VfioException {
        if (closed) {
            return;
        }
        closed = true;
        views = null;
        try {
            reservation.release();
        } finally {
            if (memfd != null) {
                memfd.close();
            }
        }
    }

    /**
     * The address range and the views of it that may still be reachable. Unmapped at close when no
     * view is; else tombstoned at close and unmapped when the last view is garbage. It holds no
     * view and no DmaBuffer, so that both can become garbage.
     */
    private static final class Reservation {
        private static final Cleaner CLEANER = Cleaner.create(r -> new Thread(r, "jvfio-dma-tombstones"));
        private static final Logger LOG = LoggerFactory.getLogger(DmaBuffer.class);

        private final long address;
        private final long size;
        private final String description;
        private int liveViews;
        private boolean tombstoned;

        Reservation(long address, long size, String description) {
            this.address = address;
            this.size = size;
            this.description = description;
        }

        /** A new view of {@code length} bytes at {@code at}, counted until it is garbage. */
        synchronized ByteBuffer view(long at, int length) {
            ByteBuffer view = UnixNative.wrap(at, length);
            liveViews++;
            CLEANER.register(view, this::viewGone);
            return view;
        }

        private synchronized void viewGone() {
            if (--liveViews == 0 && tombstoned) {
                int r = UnixNative.munmap(address, size);
                if (r < 0) {
                    LOG.warn("munmap of the closed {} at 0x{} failed: {}; the address range stays reserved", description,
                            Long.toHexString(address), Errors.failure("munmap", description, -r).getMessage());
                }
            }
        }

        /** At close: unmaps the range, or leaves a tombstone there while a view may still reach it. */
        synchronized void release() throws VfioException {
            if (liveViews == 0) {
                Errors.check(UnixNative.munmap(address, size), "munmap", description);
                return;
            }
            int r = UnixNative.mmapTombstone(address, size);
            if (r < 0) {
                throw Errors.failure("mmap (tombstone over a closed buffer)", description, -r,
                        "the memory stays mapped until the process exits, so that views from buffer() never reach reused memory");
            }
            tombstoned = true;
        }
    }

    @Override
    public String toString() {
        return description + String.format(" at 0x%x", address) + (closed ? " (closed)" : "");
    }
}
