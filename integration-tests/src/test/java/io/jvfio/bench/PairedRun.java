package io.jvfio.bench;

import java.util.Arrays;

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

    /** "0.86-0.91": the spread of the pairs' Java/C, each Java run against the C run just before it. */
    static String range(double[] ratios) {
        double min = Arrays.stream(ratios).min().orElse(0);
        double max = Arrays.stream(ratios).max().orElse(0);
        return String.format("%.2f-%.2f", min, max);
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
