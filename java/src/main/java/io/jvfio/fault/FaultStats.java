package io.jvfio.fault;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and the read-to-answer latency of one fault-service loop. Written by the loop thread
 * once per batch; {@link #snapshot()} may be called from any thread.
 */
public final class FaultStats {
    private volatile long faults;
    private volatile long groups;
    private volatile long success;
    private volatile long invalid;
    private volatile long policyErrors;
    private volatile long rejectedResponses;
    private volatile long partialWrites;
    private volatile long bufferGrowths;
    private volatile long batches;
    private volatile int maxBatch;
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final long startNanos = System.nanoTime();

    /** Everything one batch did, added at once. */
    void addBatch(int faultCount, int groupCount, int successCount, int invalidCount, int errors, long latencyNanos) {
        faults += faultCount;
        groups += groupCount;
        success += successCount;
        invalid += invalidCount;
        policyErrors += errors;
        batches++;
        if (faultCount > maxBatch) {
            maxBatch = faultCount;
        }
        latency.recordValueWithCount(Math.max(1, latencyNanos), Math.max(1, groupCount));
    }

    void addRejectedResponse() {
        rejectedResponses++;
    }

    void addPartialWrite() {
        partialWrites++;
    }

    void addBufferGrowth() {
        bufferGrowths++;
    }

    /** An immutable view of the counters and the latency distribution so far. */
    public synchronized Snapshot snapshot() {
        total.add(latency.getIntervalHistogram());
        return new Snapshot(faults, groups, success, invalid, policyErrors, rejectedResponses, partialWrites,
                bufferGrowths, batches, maxBatch, total.getValueAtPercentile(50), total.getValueAtPercentile(99),
                total.getMaxValue(), System.nanoTime() - startNanos);
    }

    /**
     * @param faults          fault records read
     * @param groups          page-request groups answered
     * @param rejectedResponses responses the kernel refused (EINVAL: unknown cookie or code)
     * @param maxBatch        the most records one read returned (the deepest queue seen)
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
