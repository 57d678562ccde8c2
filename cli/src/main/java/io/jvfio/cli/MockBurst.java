package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockIommuDevice;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Page requests from the kernel's test mock, spread over the faultable guest memory. The mock faults
 * wherever it is told to, mapped or not; a well-behaved device does not fault on pinned memory, so
 * neither does a burst.
 */
final class MockBurst {
    /**
     * Requests per call to the mock: a stop asked for during a long burst is seen within one of them.
     * A multiple of 512, so that the group ids the mock gives them (the request's index, mod 512) run on.
     */
    static final long CHUNK = 4096;

    private MockBurst() {}

    /** Fires {@code count} requests over {@code faultable} and {@code outside} just past {@code memory}; returns how many. */
    static long fire(MockIommuDevice mock, List<IovaRange> faultable, IovaRange memory, long count, long outside)
            throws VfioException {
        return fire(mock, faultable, memory, count, outside, () -> false);
    }

    /** As above, but ends early, between two calls to the mock, once {@code stopped} says so. */
    static long fire(MockIommuDevice mock, List<IovaRange> faultable, IovaRange memory, long count, long outside,
            BooleanSupplier stopped) throws VfioException {
        int perm = FaultPermissions.READ | FaultPermissions.WRITE;
        long page = DmaBuffer.pageSize();
        if (count > 0 && faultable.stream().allMatch(r -> r.length() < page)) {
            throw new IllegalStateException("all guest memory is pinned: nothing is left to fault on");
        }
        long fired = 0;
        while (fired < count && !stopped.getAsBoolean()) {
            // Each round spreads over every faultable page; later rounds fault on pages already mapped.
            for (IovaRange range : faultable) {
                long pages = range.length() / page;
                long n = Math.min(count - fired, pages);
                if (n > 0) {
                    long delivered = spread(mock, perm, range.start(), page * Math.max(1, pages / n), n, stopped);
                    fired += delivered;
                    if (delivered < n) {
                        return fired;
                    }
                }
            }
        }
        if (outside > 0 && !stopped.getAsBoolean()) {
            fired += spread(mock, perm, memory.last() + 1, page, outside, stopped);
        }
        return fired;
    }

    /** {@code n} requests at {@code start}, {@code start + stride}, ..., {@link #CHUNK} per call while not stopped. */
    private static long spread(MockIommuDevice mock, int perm, long start, long stride, long n, BooleanSupplier stopped)
            throws VfioException {
        long done = 0;
        while (done < n && !stopped.getAsBoolean()) {
            done += mock.triggerBurst(0, perm, start + done * stride, stride, Math.min(CHUNK, n - done));
        }
        return done;
    }
}
