package io.jvfio.bench;

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

    private WarmUp() {}

    static Result untilQuiet(int min, Round round) throws Exception {
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

    private static boolean quiet(JvmActivity round) {
        return round.compileMillis() >= 0 && round.compileMillis() < QUIET_MILLIS;
    }
}
