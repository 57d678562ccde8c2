package io.jvfio.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The latency samples the shim's C reference loops write: per batch, the nanoseconds from its read to
 * its answer and the number of groups it answered (16 bytes, native order); a zero count ends them.
 */
final class CLoopSamples {
    private CLoopSamples() {}

    /** Room for {@code batches} samples. */
    static ByteBuffer allocate(int batches) {
        return ByteBuffer.allocateDirect(16 * batches).order(ByteOrder.nativeOrder());
    }

    /** The samples as a histogram of group latencies, each batch's latency counted once per group it answered. */
    static Histogram histogram(ByteBuffer samples, int batches) {
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        for (int i = 0; i < batches; i++) {
            long latency = samples.getLong(16 * i);
            long groups = samples.getLong(16 * i + 8);
            if (groups == 0) {
                break;
            }
            h.recordValueWithCount(Math.max(1, latency), groups);
        }
        return h;
    }
}
