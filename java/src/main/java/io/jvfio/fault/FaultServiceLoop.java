package io.jvfio.fault;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.iommufd.FaultQueue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a fault queue on its own thread: epoll on the fault fd and a stop eventfd, read the
 * pending page requests in batches, resolve each group through a {@link FaultPolicy}, answer every
 * group exactly once with one write per batch. Nothing is allocated per fault and nothing is logged
 * per fault; {@link #stats()} counts and times them. On stop and on close it drains and answers what
 * is pending before the thread ends.
 */
public final class FaultServiceLoop implements AutoCloseable {
    /** Records per read unless told otherwise; the kernel returns whole groups only. */
    public static final int DEFAULT_BATCH = 64;
    private static final int MAX_BATCH = 1 << 16;
    private static final Logger LOG = LoggerFactory.getLogger(FaultServiceLoop.class);

    private final FaultQueue queue;
    private final FaultBatchProcessor processor;
    private final FaultStats stats = new FaultStats();
    private final EventFd stop;
    private final OwnedFd epoll;
    private final ByteBuffer events = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final long eventsAddress = UnixNative.address(events);
    private ByteBuffer records;
    private long recordsAddress;
    private ByteBuffer responses;
    private long responsesAddress;
    private int batch;
    private Thread thread;
    private volatile Throwable failure;
    private boolean closed;

    /** A loop for {@code queue}; call {@link #start()} to serve. */
    public FaultServiceLoop(FaultQueue queue, FaultPolicy policy, int batch) throws VfioException {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("batch must be 1.." + MAX_BATCH + ", not " + batch);
        }
        this.queue = queue;
        this.processor = new FaultBatchProcessor(policy);
        allocate(batch);
        EventFd stopFd = EventFd.create();
        OwnedFd ep = null;
        try {
            ep = new OwnedFd(Errors.check(UnixNative.epollCreate(), "epoll_create1", queue.toString()), "epoll of " + queue);
            Errors.check(UnixNative.epollAdd(ep.get(), queue.fd(), UnixConstants.EPOLLIN), "epoll_ctl ADD", queue.toString());
            Errors.check(UnixNative.epollAdd(ep.get(), stopFd.fd(), UnixConstants.EPOLLIN), "epoll_ctl ADD", stopFd.toString());
        } catch (VfioException | RuntimeException e) {
            if (ep != null) {
                ep.closeQuietly(e);
            }
            try {
                stopFd.close();
            } catch (VfioException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.stop = stopFd;
        this.epoll = ep;
    }

    /** Creates and starts a loop with the default batch size. */
    public static FaultServiceLoop start(FaultQueue queue, FaultPolicy policy) throws VfioException {
        FaultServiceLoop loop = new FaultServiceLoop(queue, policy, DEFAULT_BATCH);
        loop.start();
        return loop;
    }

    private void allocate(int records) {
        this.batch = records;
        this.records = ByteBuffer.allocateDirect(records * FaultConstants.RECORD_SIZE).order(ByteOrder.nativeOrder());
        this.recordsAddress = UnixNative.address(this.records);
        this.responses = ByteBuffer.allocateDirect(records * FaultConstants.RESPONSE_SIZE).order(ByteOrder.nativeOrder());
        this.responsesAddress = UnixNative.address(this.responses);
    }

    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("the fault loop of " + queue + " is already started");
        }
        thread = new Thread(this::run, "jvfio-fault-" + queue.id());
        thread.setDaemon(true);
        LOG.info("serving {} (batch {})", queue, batch);
        thread.start();
    }

    private void run() {
        try {
            while (true) {
                int n = UnixNative.epollWait(epoll.get(), eventsAddress, 2, -1);
                if (n == -Errno.EINTR) {
                    continue;
                }
                Errors.check(n, "epoll_wait", queue.toString());
                boolean stopping = false;
                for (int i = 0; i < n; i++) {
                    stopping |= events.getInt(8 * i) == stop.fd();
                }
                drain();
                if (stopping) {
                    break;
                }
            }
        } catch (Throwable t) {
            failure = t;
            LOG.error("the fault loop of {} failed; pending faults will be answered INVALID by the kernel when the"
                    + " fault queue is detached", queue, t);
        }
        LOG.info("stopped serving {}: {}", queue, stats.snapshot());
    }

    /** Reads and answers until the queue is empty. */
    private void drain() throws VfioException {
        while (true) {
            long n = UnixNative.read(queue.fd(), recordsAddress, batch * FaultConstants.RECORD_SIZE);
            if (n == 0 || n == -Errno.EAGAIN) {
                return;
            }
            if (n == -Errno.EINVAL && batch < MAX_BATCH) {
                // The first pending group is larger than the buffer (the kernel hands out whole groups).
                allocate(Math.min(MAX_BATCH, batch * 2));
                stats.addBufferGrowth();
                continue;
            }
            if (n == -Errno.EINTR) {
                continue;
            }
            Errors.check(n, "read", queue.toString());
            long start = System.nanoTime();
            int count = (int) (n / FaultConstants.RECORD_SIZE);
            int groups = processor.process(records, count, responses);
            answer(groups);
            stats.addBatch(count, groups, processor.success, processor.invalid, processor.policyErrors,
                    System.nanoTime() - start);
        }
    }

    /** One write for the batch; a response the kernel rejects is skipped and counted, the rest resent. */
    private void answer(int groups) throws VfioException {
        int length = groups * FaultConstants.RESPONSE_SIZE;
        int offset = 0;
        while (offset < length) {
            long w = UnixNative.write(queue.fd(), responsesAddress + offset, length - offset);
            if (w > 0) {
                offset += (int) w;
                if (offset < length) {
                    stats.addPartialWrite();
                }
            } else if (w == -Errno.EINVAL) {
                stats.addRejectedResponse();
                offset += FaultConstants.RESPONSE_SIZE;
            } else if (w != -Errno.EINTR) {
                throw Errors.failure("write", queue + ", " + (length - offset) / FaultConstants.RESPONSE_SIZE
                        + " responses", (int) -w);
            }
        }
    }

    public FaultStats.Snapshot stats() {
        return stats.snapshot();
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

    /** Asks the loop to drain, answer and end; waits for it. A loop never started drains here. */
    public synchronized void stop() throws VfioException {
        Thread t = thread;
        if (t == null) {
            drain();
            return;
        }
        if (!t.isAlive()) {
            return;
        }
        stop.signal(1);
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VfioException("stop", queue.toString(), "interrupted while waiting for the fault loop to drain");
        }
    }

    @Override
    public synchronized void close() throws VfioException {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        try {
            epoll.close();
        } finally {
            stop.close();
        }
    }
}
