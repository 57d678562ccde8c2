package io.jvfio.fault;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Counters and the read-to-answer latency of one fault-service loop. Written by the loop thread
 * only, once per batch; {@link #snapshot()} may be called from any thread. The counters are plain
 * fields published by one release store per batch (a plain store on x86, where a volatile store is a
 * fence) that readers load with acquire: a fence per counter would cost more than the
 * batch's own work on a small batch.
 * <p>
 * A batch slower than the histogram's range (a policy that blocks, a GC pause, a stopped process)
 * is recorded at the range's top, and its true time kept in the maximum: recording never throws,
 * never allocates and never grows the histogram, and the one figure such a batch is about is exact.
 */
public final class FaultStats {
    /** The top of the latency histogram; slower batches are clamped to it (see the class comment). */
    static final long HISTOGRAM_RANGE_NANOS = TimeUnit.SECONDS.toNanos(60);

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
    /** Written by the loop thread only, with release; read with acquire. */
    private long published;
    private final SingleWriterRecorder latency = new SingleWriterRecorder(HISTOGRAM_RANGE_NANOS, 3);
    private final Histogram total = new Histogram(HISTOGRAM_RANGE_NANOS, 3);
    private final long startNanos = System.nanoTime();
    private static final VarHandle PUBLISHED;

    static {
        try {
            PUBLISHED = MethodHandles.lookup().findVarHandle(FaultStats.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    FaultStats() {}

    /** The answers of one batch, as the processor decided them; published with the batch. */
    void addAnswers(int successCount, int invalidCount, int errors) {
        success += successCount;
        invalid += invalidCount;
        policyErrors += errors;
    }

    /** One batch read and answered: {@code faultCount} records in {@code groupCount} groups. */
    void addBatch(int faultCount, int groupCount, long latencyNanos) {
        faults += faultCount;
        groups += groupCount;
        batches++;
        if (faultCount > maxBatch) {
            maxBatch = faultCount;
        }
        long nanos = Math.max(1, latencyNanos);
        if (nanos > maxNanos) {
            maxNanos = nanos;
        }
        latency.recordValueWithCount(Math.min(nanos, HISTOGRAM_RANGE_NANOS), Math.max(1, groupCount));
        publish();
    }

    void addRejectedResponse() {
        rejectedResponses++;
        publish();
    }

    void addPartialWrite() {
        partialWrites++;
        publish();
    }

    void addBufferGrowth() {
        bufferGrowths++;
        publish();
    }

    /** Groups answered so far: a cheap read for whoever waits for a count. */
    public long groups() {
        acquire();
        return groups;
    }

    private void publish() {
        PUBLISHED.setRelease(this, published + 1);
    }

    /** The acquire load makes the loop's writes before its last publication visible to this thread. */
    private long acquire() {
        return (long) PUBLISHED.getAcquire(this);
    }

    /** An immutable view of the counters and the latency distribution so far. */
    public synchronized Snapshot snapshot() {
        Histogram all = collect();
        return new Snapshot(faults, groups, success, invalid, policyErrors, rejectedResponses, partialWrites,
                bufferGrowths, batches, maxBatch, all.getValueAtPercentile(50), all.getValueAtPercentile(99),
                maxNanos, System.nanoTime() - startNanos);
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
     * @param rejectedResponses responses the kernel refused (EINVAL: unknown cookie or code)
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
