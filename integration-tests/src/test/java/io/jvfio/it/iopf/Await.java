package io.jvfio.it.iopf;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/** Polls a count the fault loop publishes until it reaches a value; the time limit is a hang guard only. */
final class Await {
    private Await() {}

    /** Waits until {@code actual} reaches {@code expected} or {@code seconds} pass; returns the last value. */
    static long atLeast(long expected, LongSupplier actual, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (actual.getAsLong() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return actual.getAsLong();
    }
}
