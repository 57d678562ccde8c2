package io.jvfio.fault;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.FailureLog;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.iommufd.FaultQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Serves a fault queue on its own thread: epoll on the fault fd and a stop eventfd, read the
 * pending page requests in batches, resolve each group through a {@link FaultPolicy}, answer every
 * group exactly once with one write per batch. Nothing is allocated per fault and nothing is logged
 * per fault; {@link #stats()} counts and times them.
 * <p>
 * What a policy does never ends the loop: a policy that throws, even an Error, gets its group
 * answered INVALID. {@link #stop()} is seen between batches, however fast faults arrive: the loop
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
    /** The most fault records a loop reads at once. */
    static final int MAX_BATCH = 1 << 16;
    /** How long a stop goes on answering what is pending. */
    private static final long STOP_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a stop waits for the loop thread before it says so in the log; twice as long each time after. */
    private static final long STOP_WAIT_WARNING_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** The frames of the loop thread's stack that the warning shows. */
    private static final int STOP_WAIT_WARNING_FRAMES = 24;
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
    private FaultRecords records;
    private FaultResponses responses;
    /** Records read whose answers are not being written yet: the loop's failure path answers them INVALID. */
    private int inHand;
    private volatile Thread thread;
    /** The thread draining a loop never started, inside {@link #stop()}: its policy calls are the loop's too. */
    private volatile Thread drainer;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private boolean closed;

    /** A loop for {@code queue} reading up to {@code batch} records at a time; call {@link #start()} to serve. */
    public FaultServiceLoop(FaultQueue queue, FaultPolicy policy, int batch) throws VfioException {
        checkBatch(batch);
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
        } catch (Throwable e) { // an Error too: the claim would keep the queue from ever closing
            if (ep != null) {
                ep.closeQuietly(e);
            }
            if (stopFd != null) {
                try {
                    stopFd.close();
                } catch (VfioException | RuntimeException suppressed) {
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

    /**
     * Creates and starts a loop with the default batch size. When its thread cannot start (a pids
     * limit), the loop is closed before the error is thrown: what was pending is answered through
     * {@code policy} on the calling thread, and the queue is free to close.
     */
    public static FaultServiceLoop start(FaultQueue queue, FaultPolicy policy) throws VfioException {
        FaultServiceLoop loop = new FaultServiceLoop(queue, policy, DEFAULT_BATCH);
        try {
            loop.start();
        } catch (Throwable e) { // the caller has no loop to close, and the loop's claim would hold the queue open
            try {
                loop.close();
            } catch (Throwable suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return loop;
    }

    private void allocate(int capacity) {
        records = FaultRecords.allocate(capacity);
        responses = FaultResponses.allocate(capacity);
    }

    /** Refuses a batch a loop cannot read: also what {@link FaultServer.Builder#batch} checks before opening anything. */
    static int checkBatch(int batch) {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("a fault loop reads 1.." + MAX_BATCH + " records at once, not " + batch);
        }
        return batch;
    }

    /**
     * Starts serving on a new thread; once only (a start whose thread could not start may be tried
     * again), and not after {@link #stop()}.
     */
    public void start() {
        // Checked before taking the lock too: a policy calling start() while stop() holds it would deadlock.
        refuseStarted();
        synchronized (this) {
            refuseStarted();
            Thread t = new Thread(this::run, name);
            t.setDaemon(true);
            thread = t; // before it runs: its policy's calls of stop() must find it the loop's thread
            try {
                t.start();
            } catch (Throwable e) {
                if (t.getState() == Thread.State.NEW) { // it never ran: stop() drains on the caller, start() may retry
                    thread = null;
                }
                throw e;
            }
            LOG.info("serving {} (batch {})", queue, records.capacity());
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
            FailureLog.log(LOG, Level.ERROR, t,
                    "the fault loop of {} failed; faults wait until stop() or close() answers them INVALID", queue);
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
     * the next batch in one native call; when stopping it only writes, so that a stop is seen between
     * batches. Returns the records of the next batch: 0 when nothing is pending or the loop stops.
     */
    private int answerAndReadNext(int count) throws VfioException {
        long start = System.nanoTime();
        inHand = count;
        int groups = processor.process(records, responses);
        inHand = 0;
        if (stopping) {
            respond();
            stats.addBatch(count, groups, System.nanoTime() - start);
            return 0;
        }
        int next = claim.respondAndRead(responses.buffer(), responses.count(), records.buffer());
        // Records read are in hand at once: if anything below throws, the failure path answers them.
        inHand = Math.max(0, next);
        if (next == FaultQueue.NOT_READ) {
            respondFrom(afterWrite(0, claim.responsesTaken()));
            stats.addBatch(count, groups, System.nanoTime() - start);
            return read();
        }
        stats.addBatch(count, groups, claim.respondedAtNanos() - start);
        if (next == FaultQueue.GROUP_TOO_LARGE) {
            return read(); // which grows the buffers
        }
        records.count(next);
        return next;
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
            stats.addRejectedResponse(responses.code(first) == FaultResponse.SUCCESS.code());
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
        if (inHand == 0) {
            return;
        }
        try {
            records.count(inHand);
            int groups = processor.refuse(records, responses);
            respond();
            stats.addBatch(inHand, groups, FaultStats.UNTIMED);
        } catch (Throwable t) {
            cause.addSuppressed(t);
        }
        inHand = 0;
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
     * Asks the loop to answer its batch in hand and what is pending, then to end; waits for it, for as
     * long as the policy's call in hand takes (the loop thread is not interrupted: a policy that
     * blocks holds the stop off, and the log says where it is after 5 s, 10, 20 and so on). An
     * interrupt of the caller does not end the wait; its interrupt status is set again on return. A
     * loop never started drains here, on the calling thread. Throws
     * when the loop thread had failed (after answering what is pending INVALID here), and
     * {@link IllegalStateException} when called by the loop's policy, on its thread or on the thread
     * draining a loop never started (it would wait for itself, or answer the batch it is in twice).
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
                drainer = Thread.currentThread();
                try {
                    drain(true);
                } catch (Throwable e) {
                    refuseInHand(e); // the batch read here: answered INVALID, as the loop thread does
                    throw e;
                } finally {
                    drainer = null;
                }
                return;
            }
            if (t.isAlive()) {
                stop.signal(1);
            }
            joinUninterruptibly(t);
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

    /**
     * Waits for the loop thread to end; an interrupt does not cut the wait short but is kept for the
     * caller, as {@code ExecutorService.close()} does. A close on a cancelled task's thread (its
     * interrupt already set) once gave up at once and left the device, the memory and every
     * descriptor open. A long wait is not a silent one: after 5 s, then 10, 20 and so on, the log
     * says where the loop thread is (a policy that does not return holds the stop).
     */
    private void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        long start = System.nanoTime();
        long warnAfter = STOP_WAIT_WARNING_NANOS;
        try {
            while (t.isAlive()) {
                long waited = System.nanoTime() - start;
                if (waited >= warnAfter) {
                    warnStillWaiting(t, waited);
                    while (warnAfter <= waited) { // one warning, also after a pause that passed several marks
                        warnAfter *= 2;
                    }
                    continue;
                }
                try {
                    TimeUnit.NANOSECONDS.timedJoin(t, warnAfter - waited);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Logs where the loop thread is; never throws, which would end the wait it explains. */
    private void warnStillWaiting(Thread t, long waitedNanos) {
        StackTraceElement[] stack;
        try {
            stack = t.getStackTrace();
        } catch (RuntimeException e) { // a SecurityManager's refusal
            stack = new StackTraceElement[0];
        }
        StringBuilder where = new StringBuilder();
        for (int i = 0; i < Math.min(stack.length, STOP_WAIT_WARNING_FRAMES); i++) {
            where.append("\n\tat ").append(stack[i]);
        }
        if (stack.length > STOP_WAIT_WARNING_FRAMES) {
            where.append("\n\t... ").append(stack.length - STOP_WAIT_WARNING_FRAMES).append(" more");
        }
        LOG.warn("the stop of the fault loop of {} has waited {} s for its thread {}, which has not ended; a policy"
                + " that does not return holds the stop (its thread is not interrupted). The thread is at:{}", queue,
                TimeUnit.NANOSECONDS.toSeconds(waitedNanos), t.getName(), where);
    }

    /** Whether the caller is the loop's thread, or the thread draining a loop never started. */
    boolean onLoopThread() {
        Thread current = Thread.currentThread();
        return current == thread || current == drainer;
    }

    void refuseOnLoopThread(String operation) {
        if (onLoopThread()) {
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
            Throwable stopFailed = null;
            try {
                stop();
            } catch (VfioException | RuntimeException | Error e) {
                stopFailed = e;
            }
            if (stopFailed != null && isRunning()) {
                throw rethrow(stopFailed); // the stop could not be signalled: the loop still runs on these resources, close again later
            }
            closed = true;
            claim.close();
            VfioException failed = closeQuietly(epoll, null);
            failed = closeQuietly(stop, failed);
            if (stopFailed != null) {
                if (failed != null) {
                    stopFailed.addSuppressed(failed);
                }
                throw rethrow(stopFailed);
            }
            if (failed != null) {
                throw failed;
            }
        }
    }

    /** {@code t}, one of what stop() throws, to throw as it is. */
    private static VfioException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return (VfioException) t;
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
