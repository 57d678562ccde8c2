package io.jvfio.testing;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import java.nio.ByteBuffer;

/**
 * The C reference fault-serving loop that the IOPF benchmark runs beside
 * {@link io.jvfio.fault.FaultServiceLoop} on the same fault source: the same algorithm (epoll on the
 * fault fd and a stop eventfd, read a batch, answer SUCCESS once per group, one write per batch)
 * with no policy and no Java.
 */
public final class FaultReferenceLoop {
    /** The most records the loop reads at once. */
    public static final int MAX_BATCH = 256;

    static {
        TestingLibrary.ensureAvailability();
    }

    private FaultReferenceLoop() {}

    /**
     * Answers SUCCESS to every group on {@code queue} until {@code maxGroups} are answered or
     * {@code stop} is signalled. For each batch it stores the read-to-answer latency in ns and the
     * group count as two native-order longs in {@code samples} (a direct buffer), as many as fit.
     *
     * @return the number of groups answered
     */
    public static long serve(FaultQueue queue, EventFd stop, int batch, long maxGroups, ByteBuffer samples)
            throws VfioException {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("the reference loop reads 1 to " + MAX_BATCH + " records at once, not " + batch);
        }
        long r = FaultReferenceLoopNative.serve(queue.fd(), stop.fd(), batch, maxGroups, RawIo.address(samples),
                samples.capacity() / 16);
        if (r < 0) {
            throw VfioException.of("reference loop", queue.toString(), (int) -r, null);
        }
        return r;
    }
}
