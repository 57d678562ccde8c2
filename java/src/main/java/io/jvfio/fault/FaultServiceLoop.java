package io.jvfio.fault;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.DmaMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a fault queue on its own thread: epoll on the fault fd and a stop eventfd, read the
 * pending page requests in batches, resolve each group through a {@link FaultPolicy}, answer every
 * group exactly once with one write per batch. Nothing is allocated per fault and nothing is logged
 * per fault; {@link #stats()} counts and times them. A policy that maps the page of the batch's last
 * fault ({@link DemandMapPolicy}) maps it in the same native call that writes the answers and reads
 * the next batch ({@link MapThenAnswer}), so that map costs no crossing of its own.
 * <p>
 * What a policy does never ends the loop: a policy that throws, even an Error, gets its group
 * answered INVALID (unless its map through that call has sent SUCCESS already). {@link #stop()} is seen between batches, however fast faults arrive: the loop
 * answers the batch in hand, then what is pending for at most a second more (a device that keeps
 * faulting cannot hold a stop off), and ends; what it leaves is answered INVALID by the kernel
 * when the page table or the queue goes. Should the thread end early all the same (a read or write
 * the kernel refuses), it answers the batch it holds INVALID, {@link #failure()} says why, and
 * {@link #stop()} and {@link #close()} answer what is pending INVALID from the calling thread and
 * throw with that cause. The loop holds the queue's {@link FaultQueue#claim claim} from construction
 * to {@link #close()}, so the queue cannot be closed under it.
 */
public final class FaultServiceLoop implements AutoCloseable {
    /** Records per read unless told otherwise; the kernel returns whole groups only. */
    public static final int DEFAULT_BATCH = 64;
    private static final int MAX_BATCH = 1 << 16;
    /** How long a stop goes on answering what is pending. */
    private static final long STOP_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Logger LOG = LoggerFactory.getLogger(FaultServiceLoop.class);

    private final FaultQueue queue;
    private final String name;
    private final FaultStats stats = new FaultStats();
    private final FaultBatchProcessor processor;
    private final FaultQueue.Claim claim;
    private final EventFd stop;
    private final OwnedFd epoll;
    private final ByteBuffer events = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final long eventsAddress = UnixNative.address(events);
    /** Where {@link FaultQueue.Claim#respondAndRead} says what it wrote and when (and a failed map its errno). */
    private final ByteBuffer status = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private FaultRecords records;
    /** What a map through {@link #mapTurn} reads the next batch into while the policy still views {@link #records}. */
    private FaultRecords spare;
    private FaultResponses responses;
    private final MapTurn mapTurn = new MapTurn();
    /** Records read whose answers are not being written yet: the loop's failure path answers them INVALID. */
    private int inHand;
    /** Records a map through {@link #mapTurn} read into {@link #spare} while the policy ran: in hand too. */
    private int readAhead;
    private volatile Thread thread;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private boolean closed;

    /** A loop for {@code queue} reading up to {@code batch} records at a time; call {@link #start()} to serve. */
    public FaultServiceLoop(FaultQueue queue, FaultPolicy policy, int batch) throws VfioException {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be 1.." + MAX_BATCH + ", not " + batch);
        }
        this.queue = queue;
        this.name = "jvfio-fault-" + queue.id();
        this.processor = new FaultBatchProcessor(policy, stats);
        allocate(batch);
        FaultQueue.Claim served = queue.claim("fault loop " + name);
        EventFd stopFd = null;
        OwnedFd ep = null;
        try {
            stopFd = EventFd.create();
            ep = new OwnedFd(Errors.check(UnixNative.epollCreate(), "epoll_create1", queue.toString()), "epoll of " + queue);
            Errors.check(UnixNative.epollAdd(ep.get(), queue.fd(), UnixConstants.EPOLLIN), "epoll_ctl ADD", queue.toString());
            Errors.check(UnixNative.epollAdd(ep.get(), stopFd.fd(), UnixConstants.EPOLLIN), "epoll_ctl ADD", stopFd.toString());
        } catch (VfioException | RuntimeException e) {
            if (ep != null) {
                ep.closeQuietly(e);
            }
            if (stopFd != null) {
                try {
                    stopFd.close();
                } catch (VfioException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            served.close();
            throw e;
        }
        this.claim = served;
        this.stop = stopFd;
        this.epoll = ep;
    }

    /** Creates and starts a loop with the default batch size. */
    public static FaultServiceLoop start(FaultQueue queue, FaultPolicy policy) throws VfioException {
        FaultServiceLoop loop = new FaultServiceLoop(queue, policy, DEFAULT_BATCH);
        loop.start();
        return loop;
    }

    private void allocate(int capacity) {
        records = FaultRecords.allocate(capacity);
        spare = FaultRecords.allocate(capacity);
        responses = FaultResponses.allocate(capacity);
    }

    /** Starts serving on a new thread; once only, and not after {@link #stop()}. */
    public void start() {
        // Checked before taking the lock too: a policy calling start() while stop() holds it would deadlock.
        refuseStarted();
        synchronized (this) {
            refuseStarted();
            Thread t = new Thread(this::run, name);
            t.setDaemon(true);
            thread = t;
            LOG.info("serving {} (batch {})", queue, records.capacity());
            t.start();
        }
    }

    private void refuseStarted() {
        if (thread != null) {
            throw new IllegalStateException("the fault loop of " + queue + " is already started");
        }
        if (stopping) {
            throw new IllegalStateException("the fault loop of " + queue + " is stopped");
        }
    }

    private void run() {
        try {
            serve();
        } catch (Throwable t) {
            failure = t;
            refuseInHand(t);
            LOG.error("the fault loop of {} failed; faults wait until stop() or close() answers them INVALID", queue, t);
        }
        LOG.info("stopped serving {}: {}", queue, stats.snapshot());
    }

    private void serve() throws VfioException {
        while (!stopping) {
            int n = UnixNative.epollWait(epoll.get(), eventsAddress, 2, -1);
            if (n == -Errno.EINTR) {
                continue;
            }
            if (n < 0) {
                throw Errors.failure("epoll_wait", queue.toString(), -n);
            }
            int count = stopping ? 0 : read();
            while (count > 0) {
                count = answerAndReadNext(count);
            }
        }
        drain(true);
    }

    /**
     * Answers the {@code count} records in hand through the policy, then writes the answers and reads
     * the next batch in one native call (which the policy's map may have been part of); when stopping
     * it only writes, so that a stop is seen between batches. Returns the records of the next batch: 0
     * when nothing is pending or the loop stops.
     */
    private int answerAndReadNext(int count) throws VfioException {
        long start = System.nanoTime();
        inHand = count;
        mapTurn.reset();
        int groups = processor.process(records, responses, stopping ? null : mapTurn);
        inHand = 0;
        int next;
        if (mapTurn.answered) {
            if (mapTurn.failure != null) {
                throw mapTurn.failure;
            }
            next = mapTurn.next;
            FaultRecords read = spare;
            spare = records;
            records = read;
            readAhead = 0;
        } else if (stopping) {
            respond();
            stats.addBatch(count, groups, System.nanoTime() - start);
            return 0;
        } else {
            next = claim.respondAndRead(responses.buffer(), responses.count(), records.buffer(), status);
        }
        // Records read are in hand at once: if anything below throws, the failure path answers them.
        inHand = Math.max(0, next);
        if (next == FaultQueue.NOT_READ) {
            respondFrom(afterWrite(0, (int) status.getLong(0)));
            stats.addBatch(count, groups, System.nanoTime() - start);
            return read();
        }
        stats.addBatch(count, groups, status.getLong(8) - start);
        if (next == FaultQueue.GROUP_TOO_LARGE) {
            return read(); // which grows the buffers
        }
        records.count(next);
        return next;
    }

    /**
     * The loop's {@link MapThenAnswer}: the policy's map, the batch's answers and the next read in one
     * {@link FaultQueue.Claim#mapRespondAndRead}, reading into {@link #spare}. Used once per batch:
     * after the answers are out, a map is a plain one.
     */
    private final class MapTurn implements MapThenAnswer {
        /** What {@link #status} holds until the native call writes it: no -errno or byte count. */
        private static final long NOT_CALLED = Long.MIN_VALUE;
        private boolean answered;
        /** What the call read (as {@link FaultQueue.Claim#respondAndRead} returns it). */
        private int next;
        /** A write or read that failed after the map: the loop throws it once the policy returns. */
        private VfioException failure;

        void reset() {
            answered = false;
            failure = null;
        }

        @Override
        public long tryMapThenAnswer(DmaMapper mapper, long va, long length, long iova, int accessMask) {
            if (answered || !(mapper instanceof IoAddressSpace ioas)) {
                return mapper.tryMap(va, length, iova, accessMask);
            }
            status.putLong(0, NOT_CALLED);
            try {
                int n = claim.mapRespondAndRead(ioas, va, length, iova, accessMask, responses.buffer(), responses.count(),
                        spare.buffer(), status);
                if (n == FaultQueue.NOT_MAPPED) {
                    return status.getLong(0);
                }
                next = n;
                readAhead = Math.max(0, n);
            } catch (VfioException e) {
                if (status.getLong(0) == NOT_CALLED) {
                    // Refused before the map (a closed claim): map plainly; the batch's write fails the same way.
                    return mapper.tryMap(va, length, iova, accessMask);
                }
                failure = e; // the map was made, the write or the read failed
            }
            // The batch's answers are out: from here on, the failure path refuses only what was read ahead.
            inHand = 0;
            answered = true;
            return 0;
        }

        @Override
        public boolean answered() {
            return answered;
        }
    }

    /** Answers what is pending, for at most {@link #STOP_DRAIN_NANOS}; through the policy or all INVALID. */
    private void drain(boolean ask) throws VfioException {
        long deadline = System.nanoTime() + STOP_DRAIN_NANOS;
        while (serveBatch(ask) && System.nanoTime() - deadline < 0) {
            // until the queue is empty or the time is up
        }
    }

    /** Reads one batch and answers it (through the policy, or all INVALID); false when nothing was pending. */
    private boolean serveBatch(boolean ask) throws VfioException {
        int count = read();
        if (count == 0) {
            return false;
        }
        long start = System.nanoTime();
        inHand = count;
        int groups = ask ? processor.process(records, responses) : processor.refuse(records, responses);
        inHand = 0;
        respond();
        stats.addBatch(count, groups, System.nanoTime() - start);
        return true;
    }

    private int read() throws VfioException {
        while (true) {
            int n = queue.read(records.buffer());
            if (n != FaultQueue.GROUP_TOO_LARGE) {
                records.count(n);
                return n;
            }
            if (records.capacity() >= MAX_BATCH) {
                throw new VfioException("read", queue.toString(), "a page-request group holds more than " + MAX_BATCH
                        + " faults, more than a fault loop reads at once");
            }
            allocate(Math.min(MAX_BATCH, records.capacity() * 2));
            stats.addBufferGrowth();
        }
    }

    /** One write for the batch; a response the kernel refuses is skipped and counted, the rest resent. */
    private void respond() throws VfioException {
        respondFrom(0);
    }

    /** {@link #respond()} from response {@code first} on. */
    private void respondFrom(int first) throws VfioException {
        while (first < responses.count()) {
            first = afterWrite(first, queue.respond(responses.buffer(), first, responses.count() - first));
        }
    }

    /**
     * Counts one write of the responses from {@code first} that the kernel took {@code taken} of
     * (0: it refused the first, which is skipped); returns the first response still to write.
     */
    private int afterWrite(int first, int taken) {
        if (taken == 0) {
            stats.addRejectedResponse();
            return first + 1;
        }
        int next = first + taken;
        if (next < responses.count()) {
            stats.addPartialWrite();
        }
        return next;
    }

    /** On the failing loop thread: the records it read but had not started to answer get INVALID. */
    private void refuseInHand(Throwable cause) {
        refuse(records, inHand, cause);
        inHand = 0;
        refuse(spare, readAhead, cause);
        readAhead = 0;
    }

    private void refuse(FaultRecords read, int count, Throwable cause) {
        if (count == 0) {
            return;
        }
        try {
            read.count(count);
            int groups = processor.refuse(read, responses);
            respond();
            stats.addBatch(count, groups, 0);
        } catch (Throwable t) {
            cause.addSuppressed(t);
        }
    }

    public FaultStats.Snapshot stats() {
        return stats.snapshot();
    }

    /** The read-to-answer latency distribution so far, per group in ns (a copy). */
    public Histogram latencyHistogram() {
        return stats.latencyHistogram();
    }

    /** Page-request groups answered so far; cheaper than {@link #stats()} for polling. */
    public long groupsAnswered() {
        return stats.groups();
    }

    /** Why the loop thread ended early, or null. */
    public Throwable failure() {
        return failure;
    }

    public boolean isRunning() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /**
     * Asks the loop to answer its batch in hand and what is pending, then to end; waits for it. A loop
     * never started drains here. Throws when the loop thread had failed (after answering what is
     * pending INVALID here), and {@link IllegalStateException} when called from the loop's own thread
     * (a policy stopping its loop would wait for itself).
     */
    public void stop() throws VfioException {
        refuseOnLoopThread("stop");
        synchronized (this) {
            if (closed) {
                return;
            }
            stopping = true;
            Thread t = thread;
            if (t == null) {
                drain(true);
                return;
            }
            if (t.isAlive()) {
                stop.signal(1);
            }
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VfioException("stop", queue.toString(), "interrupted while waiting for the fault loop to answer"
                        + " its batch in hand and end; it ends on its own");
            }
            Throwable cause = failure;
            if (cause != null) {
                VfioException failed = new VfioException("stop", queue.toString(), "the fault loop had failed: " + cause
                        + "; what was pending is answered INVALID");
                failed.initCause(cause);
                try {
                    drain(false);
                } catch (VfioException | RuntimeException e) {
                    failed.addSuppressed(e);
                }
                throw failed;
            }
        }
    }

    void refuseOnLoopThread(String operation) {
        if (Thread.currentThread() == thread) {
            throw new IllegalStateException(operation + "() called on the fault loop's own thread (by its policy?) would"
                    + " wait for that thread to end: call it from another thread (" + queue + ")");
        }
    }

    /**
     * Stops the loop (see {@link #stop()}), then releases its eventfd, its epoll and its claim on the
     * queue, also when the stop throws. Idempotent; refused on the loop's own thread.
     */
    @Override
    public void close() throws VfioException {
        refuseOnLoopThread("close");
        synchronized (this) {
            if (closed) {
                return;
            }
            VfioException failed = null;
            try {
                stop();
            } catch (VfioException e) {
                failed = e;
            }
            if (failed != null && isRunning()) {
                throw failed; // interrupted while the loop still runs on these resources: close again later
            }
            closed = true;
            claim.close();
            failed = closeQuietly(epoll, failed);
            failed = closeQuietly(stop, failed);
            if (failed != null) {
                throw failed;
            }
        }
    }

    private static VfioException closeQuietly(AutoCloseable resource, VfioException failed) {
        try {
            resource.close();
        } catch (Exception e) {
            if (failed == null) {
                return e instanceof VfioException v ? v : new VfioException("close", resource.toString(), e.toString());
            }
            failed.addSuppressed(e);
        }
        return failed;
    }
}
