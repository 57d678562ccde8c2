package io.jvfio.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Warm-up until the JIT is done: under TCG the guest's vCPUs take turns on one host thread
 * (QEMU's thread=single), so a compiler thread still at work takes its time from the loop being
 * measured, and two warm-up runs left one to two seconds of C2 work for the measured runs (seen in
 * the per-run JIT times). Runs warm-up rounds, each a {@link PairedRun} as a measured round is, until
 * a round compiles for less than {@link #QUIET_MILLIS}, at least {@code min} and at most
 * {@code max} rounds.
 */
final class WarmUp {
    /** A round is quiet below this much compile time: a few percent of a round's second or more. */
    static final long QUIET_MILLIS = Long.getLong("jvfio.bench.warmup.quietMillis", 30);
    static final int MAX_ROUNDS = Integer.getInteger("jvfio.bench.warmup.max", 12);

    /** One warm-up round. */
    interface Round {
        void run() throws Exception;
    }

    /** How the warm-up went: rounds run and the last round's JIT activity, for the table's heading. */
    record Result(int rounds, JvmActivity lastRound) {
        @Override
        public String toString() {
            return rounds + " warm-up rounds, the last with " + lastRound + (quiet(lastRound) ? "" : " (still compiling)");
        }
    }

    /** Histogram work done, so that the JIT keeps it (its result is not otherwise used). */
    private static long bookkeepingSink;
    private static boolean bookkeepingWarm;

    private WarmUp() {}

    static Result untilQuiet(int min, Round round) throws Exception {
        if (!bookkeepingWarm) {
            warmHistogramBookkeeping();
            bookkeepingWarm = true;
        }
        int rounds = 0;
        JvmActivity last;
        do {
            JvmActivity before = JvmActivity.now();
            round.run();
            last = JvmActivity.now().since(before);
            rounds++;
        } while (rounds < min || (rounds < MAX_ROUNDS && !quiet(last)));
        return new Result(rounds, last);
    }

    /**
     * What each run does once after its timed span: collecting, copying and reading percentiles of
     * latency histograms of tens of thousands of buckets. The JIT compiles that only after many runs,
     * and then during measured ones: with -XX:+PrintCompilation, C2 compiled
     * AbstractHistogram.getValueAtPercentile and add in the 11th and 12th single-record warm-up
     * rounds of the IOPF benchmark, which stopped at its 12-round cap still compiling (181 ms in its
     * last round). Done here, before the first round, on histograms of the loops' range.
     */
    private static void warmHistogramBookkeeping() {
        Histogram run = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (long v = 1_000; v < 5_000_000; v += 7_919) {
            run.recordValueWithCount(v, 3);
        }
        Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (int i = 0; i < 60; i++) {
            total.add(run);
            bookkeepingSink += total.getValueAtPercentile(50) + total.getValueAtPercentile(99) + total.copy().getTotalCount();
        }
    }

    private static boolean quiet(JvmActivity round) {
        return round.compileMillis() >= 0 && round.compileMillis() < QUIET_MILLIS;
    }
}
