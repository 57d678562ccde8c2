package io.jvfio.fault;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Counters and the read-to-answer latency of one fault-service loop. Written by one thread at a
 * time, once per batch (the loop's, or after it ended the thread that drains what it left);
 * {@link #snapshot()} may be called from any thread. The counters are plain fields updated inside a
 * sequence lock: the sequence is odd while they are written, and one release store (a plain store
 * on x86, where a volatile store is a fence) makes it even again; a fence per counter would cost
 * more than the batch's own work on a small batch. A snapshot reads until it saw the same even
 * sequence before and after, so its counters always add up (success, invalid and rejected
 * responses to groups), where a snapshot taken in the middle of a batch once counted its answers
 * before its groups.
 * <p>
 * A batch slower than the histogram's range (a policy that blocks, a GC pause, a stopped process)
 * is recorded at the range's top, and its true time kept in the maximum: recording never throws,
 * never allocates and never grows the histogram, and the one figure such a batch is about is exact.
 */
public final class FaultStats {
    /** The top of the latency histogram; slower batches are clamped to it (see the class comment). */
    static final long HISTOGRAM_RANGE_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** A batch's latency when it was not timed (refused on a failure path): not a latency of 1 ns. */
    static final long UNTIMED = Long.MIN_VALUE;

    private long faults;
    private long groups;
    private long success;
    private long invalid;
    private long policyErrors;
    private long rejectedResponses;
    private long partialWrites;
    private long bufferGrowths;
    private long batches;
    private int maxBatch;
    private long maxNanos;
    /** The answers of the batch in hand, counted with its groups by {@link #addBatch}. */
    private long pendingSuccess;
    private long pendingInvalid;
    private long pendingErrors;
    private long pendingRejected;
    /** Odd while the loop thread writes the counters; written by it only, the end of each write with release. */
    private long sequence;
    private final SingleWriterRecorder latency = new SingleWriterRecorder(HISTOGRAM_RANGE_NANOS, 3);
    private final Histogram total = new Histogram(HISTOGRAM_RANGE_NANOS, 3);
    private final long startNanos = System.nanoTime();
    private static final VarHandle SEQUENCE;

    static {
        try {
            SEQUENCE = MethodHandles.lookup().findVarHandle(FaultStats.class, "sequence", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    FaultStats() {}

    /**
     * The answers of the batch in hand, as the processor decided them; counted with the batch by
     * {@link #addBatch}. Answers whose batch never gets there (its write failed) are not counted.
     */
    void addAnswers(int successCount, int invalidCount, int errors) {
        pendingSuccess = successCount;
        pendingInvalid = invalidCount;
        pendingErrors = errors;
        pendingRejected = 0;
    }

    /**
     * One batch read and answered: {@code faultCount} records in {@code groupCount} groups, in
     * {@code latencyNanos} from read to answer, or {@link #UNTIMED} (kept out of the latencies).
     */
    void addBatch(int faultCount, int groupCount, long latencyNanos) {
        beginWrite();
        try {
            faults += faultCount;
            groups += groupCount;
            success += pendingSuccess;
            invalid += pendingInvalid;
            policyErrors += pendingErrors;
            rejectedResponses += pendingRejected;
            pendingSuccess = pendingInvalid = pendingErrors = pendingRejected = 0;
            batches++;
            if (faultCount > maxBatch) {
                maxBatch = faultCount;
            }
            if (latencyNanos != UNTIMED) {
                long nanos = Math.max(1, latencyNanos);
                if (nanos > maxNanos) {
                    maxNanos = nanos;
                }
                latency.recordValueWithCount(Math.min(nanos, HISTOGRAM_RANGE_NANOS), Math.max(1, groupCount));
            }
        } finally {
            endWrite(); // an odd sequence left behind would have every later snapshot() spin forever
        }
    }

    /**
     * A response of the batch in hand that the kernel refused (its fault was answered already, by the
     * kernel at a detach, say): counted with the batch by {@link #addBatch} as rejected, not as the
     * success or invalid answer it was.
     */
    void addRejectedResponse(boolean wasSuccess) {
        pendingRejected++;
        if (wasSuccess) {
            pendingSuccess--;
        } else {
            pendingInvalid--;
        }
    }

    void addPartialWrite() {
        beginWrite();
        partialWrites++;
        endWrite();
    }

    void addBufferGrowth() {
        beginWrite();
        bufferGrowths++;
        endWrite();
    }

    /** Groups answered so far: a cheap read for whoever waits for a count. */
    public long groups() {
        acquire();
        return groups;
    }

    /** On the loop thread: the sequence odd, before any counter is written. */
    private void beginWrite() {
        SEQUENCE.setOpaque(this, sequence + 1);
        VarHandle.storeStoreFence();
    }

    /** On the loop thread: the sequence even again, after every counter is written. */
    private void endWrite() {
        SEQUENCE.setRelease(this, sequence + 1);
    }

    /** The acquire load makes the loop's writes before its last finished write visible to this thread. */
    private long acquire() {
        return (long) SEQUENCE.getAcquire(this);
    }

    /** An immutable view of the counters and the latency distribution so far; the counters add up. */
    public synchronized Snapshot snapshot() {
        Histogram all = collect();
        for (int spins = 0; ; spins++) {
            long before = acquire();
            if ((before & 1) == 0) {
                long f = faults, g = groups, ok = success, bad = invalid, errors = policyErrors;
                long rejected = rejectedResponses, partial = partialWrites, growths = bufferGrowths, n = batches;
                int most = maxBatch;
                long slowest = maxNanos;
                VarHandle.loadLoadFence(); // the counters read before the sequence is read again
                if ((long) SEQUENCE.getOpaque(this) == before) {
                    return new Snapshot(f, g, ok, bad, errors, rejected, partial, growths, n, most,
                            all.getValueAtPercentile(50), all.getValueAtPercentile(99), slowest, System.nanoTime() - startNanos);
                }
            }
            // The loop is in the middle of a batch's counters: a few stores, unless its thread was descheduled there.
            if (spins % 64 == 63) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    /** A copy of the read-to-answer latency distribution so far, per group in ns: e.g. to plot it. */
    public synchronized Histogram latencyHistogram() {
        return collect().copy();
    }

    /** Under this object's lock: the loop's writes so far made visible, its latencies added to the total. */
    private Histogram collect() {
        acquire();
        total.add(latency.getIntervalHistogram());
        return total;
    }

    /**
     * @param faults            fault records read
     * @param groups            page-request groups answered
     * @param success           groups answered SUCCESS, as the kernel took it
     * @param invalid           groups answered INVALID (or FAILURE), as the kernel took it
     * @param rejectedResponses responses the kernel refused (EINVAL: unknown cookie or code), in
     *                          {@code groups} but not in {@code success} or {@code invalid}
     * @param maxBatch          the most records one read returned (the deepest queue seen)
     * @param p50Nanos          read-to-answer latency per group, median (at most one minute: see {@link FaultStats})
     * @param maxNanos          the slowest batch, exact
     */
    public record Snapshot(long faults, long groups, long success, long invalid, long policyErrors,
                           long rejectedResponses, long partialWrites, long bufferGrowths, long batches, int maxBatch,
                           long p50Nanos, long p99Nanos, long maxNanos, long uptimeNanos) {

        public double faultsPerSecond() {
            return uptimeNanos == 0 ? 0 : faults * 1e9 / uptimeNanos;
        }

        @Override
        public String toString() {
            return String.format("%d faults in %d groups (%d success, %d invalid, %d policy errors, %d rejected"
                    + " responses), %d batches (max %d records), latency p50 %.1f us p99 %.1f us max %.1f us",
                    faults, groups, success, invalid, policyErrors, rejectedResponses, batches, maxBatch,
                    p50Nanos / 1e3, p99Nanos / 1e3, maxNanos / 1e3);
        }
    }
}
