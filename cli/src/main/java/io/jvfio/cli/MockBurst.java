package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockIommuDevice;
import java.util.List;

/**
 * Page requests from the kernel's test mock, spread over the faultable guest memory. The mock faults
 * wherever it is told to, mapped or not; a well-behaved device does not fault on pinned memory, so
 * neither does a burst.
 */
final class MockBurst {
    private MockBurst() {}

    /** Fires {@code count} requests over {@code faultable} and {@code outside} just past {@code memory}; returns how many. */
    static long fire(MockIommuDevice mock, List<IovaRange> faultable, IovaRange memory, long count, long outside)
            throws VfioException {
        int perm = FaultPermissions.READ | FaultPermissions.WRITE;
        long page = DmaBuffer.pageSize();
        if (count > 0 && faultable.stream().allMatch(r -> r.length() < page)) {
            throw new IllegalStateException("all guest memory is pinned: nothing is left to fault on");
        }
        long fired = 0;
        while (fired < count) {
            // Each round spreads over every faultable page; later rounds fault on pages already mapped.
            for (IovaRange range : faultable) {
                long pages = range.length() / page;
                long n = Math.min(count - fired, pages);
                if (n > 0) {
                    fired += mock.triggerBurst(0, perm, range.start(), page * Math.max(1, pages / n), n);
                }
            }
        }
        if (outside > 0) {
            fired += mock.triggerBurst(0, perm, memory.last() + 1, page, outside);
        }
        return fired;
    }
}
