package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The loop's counters and latency histogram: what a batch adds, and that no batch can break them. */
class FaultStatsTest {
    @Test
    void statsAddUpBatchesAndLatency() {
        FaultStats stats = new FaultStats();
        stats.addAnswers(58, 2, 1);
        stats.addBatch(64, 60, 5_000);
        stats.addAnswers(2, 0, 0);
        stats.addRejectedResponse(true); // the kernel refused one of its two SUCCESS answers
        stats.addBatch(2, 2, 2_000);
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(66, s.faults());
        assertEquals(62, s.groups());
        assertEquals(59, s.success(), "a SUCCESS the kernel refused is not one");
        assertEquals(2, s.invalid());
        assertEquals(1, s.policyErrors());
        assertEquals(1, s.rejectedResponses());
        assertEquals(2, s.batches());
        assertEquals(64, s.maxBatch());
        assertTrue(s.p50Nanos() >= 4_990 && s.p50Nanos() <= 5_010, "60 of 62 groups took 5 us: " + s.p50Nanos());
        assertEquals(5_000, s.maxNanos());
        assertEquals(62, stats.groups());
    }

    /** Groups refused INVALID on a failure path were not timed: they are not answers that took no time. */
    @Test
    void anUntimedBatchIsCountedButKeptOutOfTheLatencies() {
        FaultStats stats = new FaultStats();
        stats.addAnswers(1, 0, 0);
        stats.addBatch(1, 1, 5_000);
        stats.addAnswers(0, 64, 0);
        stats.addBatch(64, 64, FaultStats.UNTIMED);
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(65, s.groups());
        assertEquals(64, s.invalid());
        assertEquals(1, stats.latencyHistogram().getTotalCount(), "only the timed group");
        assertTrue(s.p50Nanos() >= 4_990, "the median is the timed group's: " + s.p50Nanos());
    }

    @Test
    void aBatchSlowerThanTheHistogramRangeIsRecordedAndItsTimeKeptExactly() {
        FaultStats stats = new FaultStats();
        long minute = TimeUnit.SECONDS.toNanos(60);
        stats.addBatch(1, 1, 1_000);
        stats.addBatch(1, 1, minute);
        stats.addBatch(1, 1, TimeUnit.HOURS.toNanos(5));
        stats.addBatch(1, 1, Long.MAX_VALUE);
        stats.addBatch(1, 1, 2_000);
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(5, s.groups(), "every batch counted");
        assertEquals(Long.MAX_VALUE, s.maxNanos(), "the slowest batch exactly");
        assertTrue(s.p99Nanos() >= FaultStats.HISTOGRAM_RANGE_NANOS * 0.999, "clamped at the range's top: " + s.p99Nanos());
        assertTrue(s.p99Nanos() <= FaultStats.HISTOGRAM_RANGE_NANOS * 1.001, "clamped at the range's top: " + s.p99Nanos());
        stats.addBatch(1, 1, 3_000);
        assertEquals(6, stats.snapshot().groups(), "and recording goes on");
    }

    @Test
    void answersAreCountedWithTheirBatchAndNotBefore() {
        FaultStats stats = new FaultStats();
        stats.addAnswers(3, 1, 1); // decided; the write and the batch's count come after
        FaultStats.Snapshot decided = stats.snapshot();
        assertEquals(0, decided.success() + decided.invalid() + decided.policyErrors(), decided::toString);
        stats.addBatch(5, 4, 1_000);
        stats.addAnswers(2, 0, 0); // a batch whose write failed never gets to addBatch: not counted
        stats.addAnswers(1, 1, 0);
        stats.addBatch(2, 2, 1_000);
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(6, s.groups());
        assertEquals(4, s.success());
        assertEquals(2, s.invalid());
        assertEquals(1, s.policyErrors());
    }

    @Test
    void aSnapshotTakenWhileTheLoopCountsAlwaysAddsUp() throws Exception {
        FaultStats stats = new FaultStats();
        int batches = 1_000_000;
        Thread loop = new Thread(() -> {
            for (int i = 0; i < batches; i++) {
                stats.addAnswers(3, 1, 1);
                stats.addBatch(5, 4, 1_000);
            }
        });
        loop.start();
        long seen = 0;
        for (int reads = 0; loop.isAlive() || reads == 0; reads++) {
            FaultStats.Snapshot s = stats.snapshot();
            assertEquals(s.groups(), s.success() + s.invalid(), () -> "answers counted apart from their groups: " + s);
            assertEquals(s.faults(), 5 * s.batches(), () -> "faults counted apart from their batches: " + s);
            assertEquals(s.groups(), 4 * s.batches(), s::toString);
            assertEquals(s.policyErrors(), s.batches(), s::toString);
            assertTrue(s.groups() >= seen, "went back");
            seen = s.groups();
        }
        loop.join();
        assertEquals(4L * batches, stats.snapshot().groups());
        assertEquals(3L * batches, stats.snapshot().success());
    }
}
