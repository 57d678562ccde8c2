package io.jvfio.iommufd;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.FaultNative;
import io.jvfio.internal.InfoBuffer;
import io.jvfio.internal.IommufdNative;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An iommufd fault queue (IOMMU_FAULT_QUEUE_ALLOC): a fault object id to give HW page tables, and a
 * fault fd from which page requests are {@link #read} and to which responses are {@linkplain #respond
 * written}. Serve it with {@link io.jvfio.fault.FaultServiceLoop}.
 * <p>
 * Closing: after the page tables that deliver faults to it (the kernel refuses to destroy it while one
 * does), and after the loop that serves it. {@link #close()} refuses both cases with
 * {@link io.jvfio.VfioBusyException} before touching the kernel, so that a refused close leaves the
 * queue working: a server waits on the fault fd for as long as it runs, and closing the fd under it
 * would let a new open() recycle the number into an unrelated file that the server then reads and
 * writes. Each read and respond holds the queue's lock for its one non-blocking system call, so
 * close() never closes the fd in the middle of one either.
 */
public final class FaultQueue implements AutoCloseable {
    /** What {@link #read} returns when the first pending group needs a larger buffer. */
    public static final int GROUP_TOO_LARGE = -1;
    /** What {@link Claim#respondAndRead} returns when the kernel did not take every response, and nothing was read. */
    public static final int NOT_READ = -2;

    private final Iommufd iommufd;
    private final int id;
    private final OwnedFd fd;
    private int pageTables;
    private Claim server;
    private boolean destroyed;
    /** The last buffers read into and written from, and their addresses: a server reuses the same two. */
    private ByteBuffer readBuffer;
    private long readAddress;
    private ByteBuffer respondBuffer;
    private long respondAddress;

    private FaultQueue(Iommufd iommufd, int id, OwnedFd fd) {
        this.iommufd = iommufd;
        this.id = id;
        this.fd = fd;
    }

    public static FaultQueue allocate(Iommufd iommufd) throws VfioException {
        InfoBuffer out = new InfoBuffer(8);
        int fd = (int) iommufd.call("IOMMU_FAULT_QUEUE_ALLOC", f -> FaultNative.queueAlloc(f, out.address()));
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

    /**
     * The fault fd, readable when page requests are pending: for poll and epoll by whoever holds the
     * {@link #claim}. Read and answer through {@link #read} and {@link #respond}, which keep close()
     * off the descriptor; a number kept past close() may name another file.
     */
    public int fd() {
        return fd.get();
    }

    public Iommufd iommufd() {
        return iommufd;
    }

    /**
     * Reads pending page requests into {@code records} (a direct buffer in native order, from index 0,
     * as many records as its capacity holds). The kernel hands out whole groups only and never blocks.
     *
     * @return the number of records read, 0 when nothing is pending, or {@link #GROUP_TOO_LARGE} when
     *         the first pending group holds more records than the buffer (also on kernels that answer
     *         such a read with nothing, before "iommufd: Reject invalid read count": the shim tells by
     *         poll)
     */
    public synchronized int read(ByteBuffer records) throws VfioException {
        int length = records.capacity() / FaultConstants.RECORD_SIZE * FaultConstants.RECORD_SIZE;
        if (!records.isDirect() || records.isReadOnly() || length == 0) {
            throw new IllegalArgumentException("fault records are read into a writable direct buffer of at least one record ("
                    + FaultConstants.RECORD_SIZE + " bytes), not " + records);
        }
        if (records != readBuffer) {
            readAddress = UnixNative.address(records);
            readBuffer = records;
        }
        return recordsRead(FaultNative.read(open("read"), readAddress, length), length);
    }

    /** What a read of {@code length} bytes returned (bytes or -errno), as {@link #read} returns it. */
    private int recordsRead(long n, int length) throws VfioException {
        if (n == -Errno.EINVAL) {
            return GROUP_TOO_LARGE;
        }
        if (n < 0) {
            throw Errors.failure("read", this + ", " + length / FaultConstants.RECORD_SIZE + " records", (int) -n);
        }
        return (int) (n / FaultConstants.RECORD_SIZE);
    }

    /** What a write of {@code count} responses returned (bytes or -errno), as {@link #respond} returns it. */
    private int responsesTaken(long n, int count) throws VfioException {
        if (n == -Errno.EINVAL) {
            return 0;
        }
        if (n < 0) {
            throw Errors.failure("write", this + ", " + count + " responses", (int) -n);
        }
        return (int) (n / FaultConstants.RESPONSE_SIZE);
    }

    /**
     * Writes {@code count} responses from index {@code first} of {@code responses} (a direct buffer in
     * native order). The kernel takes them in order and stops at the first it refuses: a cookie it does
     * not hold (unknown or answered already) or a bad code.
     *
     * @return how many responses it took; 0 when it refused the first
     */
    public synchronized int respond(ByteBuffer responses, int first, int count) throws VfioException {
        int size = FaultConstants.RESPONSE_SIZE;
        if (!responses.isDirect() || first < 0 || count < 1 || (long) first + count > responses.capacity() / size) {
            throw new IllegalArgumentException("responses " + first + ".." + ((long) first + count) + " are not inside "
                    + responses + " (" + size + " bytes each, a direct buffer)");
        }
        if (responses != respondBuffer) {
            respondAddress = UnixNative.address(responses);
            respondBuffer = responses;
        }
        return responsesTaken(FaultNative.respond(open("write"), respondAddress + (long) first * size, count * size), count);
    }

    /** Whether page requests wait to be read. */
    public synchronized boolean hasPending() throws VfioException {
        int revents = Errors.check(UnixNative.poll(open("poll"), UnixConstants.POLLIN, 0), "poll", toString());
        return (revents & UnixConstants.POLLIN) != 0;
    }

    private int open(String operation) throws VfioException {
        if (destroyed) {
            throw new VfioException(operation, toString(), "the fault queue is closed");
        }
        return fd.get();
    }

    /**
     * Registers {@code server} (e.g. a fault-service loop) as the one that reads and answers this
     * queue, until the returned claim is closed; {@link #close()} refuses while it is held.
     */
    public synchronized Claim claim(String server) throws VfioException {
        if (destroyed) {
            throw new VfioException("claim", toString(), "the fault queue is closed");
        }
        if (this.server != null) {
            throw VfioException.of("claim", "fault queue " + id, Errno.EBUSY, "already served by " + this.server.server
                    + ": one server per queue");
        }
        this.server = new Claim(server);
        return this.server;
    }

    /** A HW page table is about to deliver faults here; refused once the queue is closed. */
    synchronized void retain() throws VfioException {
        if (destroyed) {
            throw new VfioException("IOMMU_HWPT_ALLOC", toString(), "the fault queue is closed; its id may name another"
                    + " queue by now");
        }
        pageTables++;
    }

    synchronized void release() {
        pageTables--;
    }

    /**
     * Closes the fault fd (it holds a reference on the fault object), then destroys the object. Throws
     * {@link io.jvfio.VfioBusyException} while a {@link HwPageTable} still uses the queue or a server
     * holds its {@link #claim}; it then stays usable. Faults left unanswered are answered INVALID by
     * the kernel on destroy.
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
        if (server != null) {
            throw VfioException.of("IOMMU_DESTROY", "fault queue " + id, Errno.EBUSY,
                    server.server + " still serves it: close that first");
        }
        destroyed = true;
        fd.close();
        if (iommufd.isOpen()) {
            int r = (int) iommufd.call("IOMMU_DESTROY", f -> IommufdNative.destroy(f, id));
            if (r < 0 && -r != Errno.ENOENT) {
                throw Errors.failure("IOMMU_DESTROY", "fault queue " + id, -r, null);
            }
        }
    }

    @Override
    public String toString() {
        return fd.toString();
    }

    /**
     * The registration of the one server of a queue; closing it lets the queue be closed. While it is
     * held the fault fd cannot be closed, so its holder's I/O ({@link #respondAndRead}) takes no lock.
     * A claim is used by one thread at a time (the server's): a call while another is in flight is
     * refused. Any thread may close it: close waits for a call in flight (one non-blocking write and
     * read), and later calls fail, so the fd is never closed under the server's I/O.
     */
    public final class Claim implements AutoCloseable {
        private static final VarHandle IN_CALL;

        static {
            try {
                IN_CALL = MethodHandles.lookup().findVarHandle(Claim.class, "inCall", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final String server;
        /** A call and close each write their flag, then read the other's: one of them sees the other. */
        private volatile boolean released;
        private volatile boolean inCall;
        /** This claim's own buffer addresses: the queue's are guarded by its lock, which this path does not take. */
        private ByteBuffer responseBuffer;
        private long responseAddress;
        private ByteBuffer recordBuffer;
        private long recordAddress;
        /**
         * Where the shim stores the write's result and time: the claim's own memory. Native code must
         * not store into the caller's (a view of a closed DmaBuffer takes SIGBUS there, which kills the
         * JVM, where a Java access gets an InternalError).
         */
        private final ByteBuffer status = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        private final long statusAddress = UnixNative.address(status);
        /** What the last call's write did, for its own thread (a claim serves one at a time). */
        private int taken;
        private long respondedAt;

        private Claim(String server) {
            this.server = server;
        }

        /**
         * {@link #respond} then {@link #read} in one native call: what a fault loop does between two
         * batches. Writes {@code count} responses from index 0 of {@code responses}; when the kernel
         * took them all, reads pending records into {@code records} (as {@link #read}). Afterwards
         * {@link #responsesTaken()} says how many responses the kernel took and
         * {@link #respondedAtNanos()} when. The call writes no memory of the caller's but what the
         * kernel reads into {@code records} (which it refuses with EFAULT, keeping the faults, when
         * that memory is gone).
         *
         * @return as {@link #read}, or {@link #NOT_READ} when the kernel took fewer than {@code count}
         *         responses ({@link #responsesTaken()} says how many; 0 when it refused the first):
         *         finish with {@link #respond} from there, then read. Its 0 costs no poll, so on the
         *         older kernels {@link #read} names it may also be a group too large: wait for the fd,
         *         then read.
         * @throws IllegalStateException while another thread's call on this claim is in flight
         */
        public int respondAndRead(ByteBuffer responses, int count, ByteBuffer records) throws VfioException {
            int size = FaultConstants.RESPONSE_SIZE;
            int length = records.capacity() / FaultConstants.RECORD_SIZE * FaultConstants.RECORD_SIZE;
            // Refused before any I/O: records read, then found unusable, would be faults nobody answers.
            if (!responses.isDirect() || count < 1 || count > responses.capacity() / size || !records.isDirect()
                    || records.isReadOnly() || length == 0) {
                throw new IllegalArgumentException("respondAndRead takes " + count + " responses from a direct buffer ("
                        + responses + ") and records into a writable direct buffer of at least one record (" + records + ")");
            }
            // A second thread in here would swap the cached addresses under the first's call.
            if (!IN_CALL.compareAndSet(this, false, true)) {
                throw new IllegalStateException("respondAndRead on " + this + " while another call is in flight: a claim"
                        + " serves one thread at a time");
            }
            try {
                if (released) {
                    throw new VfioException("write", FaultQueue.this.toString(), "the claim of " + server + " is closed");
                }
                if (responses != responseBuffer) {
                    responseAddress = UnixNative.address(responses);
                    responseBuffer = responses;
                }
                if (records != recordBuffer) {
                    recordAddress = UnixNative.address(records);
                    recordBuffer = records;
                }
                taken = 0;
                long n = FaultNative.respondRead(fd.get(), responseAddress, count * size, recordAddress, length, statusAddress);
                respondedAt = status.getLong(8);
                taken = FaultQueue.this.responsesTaken(status.getLong(0), count);
                return n == FaultConstants.NOT_READ ? NOT_READ : recordsRead(n, length);
            } finally {
                // Release, not volatile: the call's I/O comes before it, and no fence is paid for it per call.
                IN_CALL.setRelease(this, false);
            }
        }

        /** How many responses the last {@link #respondAndRead} wrote: all it was given, unless it returned NOT_READ. */
        public int responsesTaken() {
            return taken;
        }

        /** The {@link System#nanoTime()} right after the last {@link #respondAndRead}'s write. */
        public long respondedAtNanos() {
            return respondedAt;
        }

        @Override
        public void close() {
            released = true;
            while (inCall) {
                Thread.onSpinWait();
            }
            synchronized (FaultQueue.this) {
                if (FaultQueue.this.server == this) {
                    FaultQueue.this.server = null;
                }
            }
        }

        @Override
        public String toString() {
            return server + " of " + FaultQueue.this;
        }
    }
}
