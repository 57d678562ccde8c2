package io.jvfio.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One C run, then one Java run on the same fault source, with what the JVM did during each. The
 * warm-up rounds and the measured rounds are both made of these, so the measured ones run no code
 * the warm-up did not. No collection is forced between runs: a System.gc() before each run had the
 * JIT compile 50 to 85 ms in every Java run after it, and the warm-up never went quiet.
 */
record PairedRun<R>(R c, JvmActivity cActivity, R java, JvmActivity javaActivity) {
    /** One timed run of a loop. */
    interface Run<R> {
        R run() throws Exception;
    }

    /** The median of {@code values} (the upper one of an even count). */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** "0.86-0.91": the spread of the pairs' Java/C, each Java run against the C run just before it. */
    static String range(double[] ratios) {
        double min = Arrays.stream(ratios).min().orElse(0);
        double max = Arrays.stream(ratios).max().orElse(0);
        return String.format("%.2f-%.2f", min, max);
    }

    /** What a benchmark prints of each measured pair (its 1-based number), on the console. */
    interface Printer<R> {
        void print(int number, PairedRun<R> pair);
    }

    /**
     * The measured rounds: {@code runs} pairs, each printed as it ends, compared by {@code rate}
     * (faults per second: higher is faster).
     */
    static <R> Series<R> measure(int runs, Run<R> c, Run<R> java, ToDoubleFunction<R> rate, Printer<R> printer)
            throws Exception {
        List<PairedRun<R>> pairs = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            PairedRun<R> pair = of(c, java);
            printer.print(i + 1, pair);
            pairs.add(pair);
        }
        return new Series<>(List.copyOf(pairs), rate);
    }

    /** The measured pairs of one table row. */
    record Series<R>(List<PairedRun<R>> pairs, ToDoubleFunction<R> rate) {
        /** The C run of median rate. */
        R medianC() {
            return medianRun(pairs.stream().map(PairedRun::c).toList());
        }

        /** The Java run of median rate. */
        R medianJava() {
            return medianRun(pairs.stream().map(PairedRun::java).toList());
        }

        /** {@link #range} of the pairs' Java/C. */
        String ratioRange() {
            return range(pairs.stream().mapToDouble(p -> rate.applyAsDouble(p.java()) / rate.applyAsDouble(p.c())).toArray());
        }

        private R medianRun(List<R> runs) {
            return runs.stream().sorted(Comparator.comparingDouble(rate)).toList().get(runs.size() / 2);
        }
    }

    static <R> PairedRun<R> of(Run<R> c, Run<R> java) throws Exception {
        JvmActivity beforeC = JvmActivity.now();
        R cRun = c.run();
        JvmActivity beforeJava = JvmActivity.now();
        JvmActivity cActivity = beforeJava.since(beforeC);
        R javaRun = java.run();
        return new PairedRun<>(cRun, cActivity, javaRun, JvmActivity.now().since(beforeJava));
    }
}
