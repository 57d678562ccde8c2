package io.jvfio.it.iopf;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** A close on a thread of its own, as another thread of a user's would make it while a policy holds the loop. */
final class ClosingThread {
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    ClosingThread(AutoCloseable closeable, String name) {
        thread = new Thread(() -> {
            try {
                closeable.close();
            } catch (Throwable e) {
                failure.set(e);
            }
        }, name);
    }

    void start() {
        thread.start();
    }

    boolean started() {
        return thread.getState() != Thread.State.NEW;
    }

    boolean isAlive() {
        return thread.isAlive();
    }

    /** Waits for the close to end, for {@code seconds} at most (a hang guard). */
    void join(int seconds) throws InterruptedException {
        thread.join(TimeUnit.SECONDS.toMillis(seconds));
    }

    /** What the close threw, or null. */
    Throwable failure() {
        return failure.get();
    }

    /** Whether the close waits, as it does for the loop thread (a timed join: it logs a long wait). */
    boolean waiting() {
        return waiting(thread);
    }

    static boolean waiting(Thread t) {
        return t != null && (t.getState() == Thread.State.WAITING || t.getState() == Thread.State.TIMED_WAITING);
    }
}
