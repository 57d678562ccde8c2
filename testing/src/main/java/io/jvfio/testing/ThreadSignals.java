package io.jvfio.testing;

/**
 * A signal sent to one thread while it waits in a system call, as a profiler's or JFR's sampler
 * sends one (native/testing/thread_signal.c): for tests that the library's waits are not cut short
 * by it. The signal's handler does nothing; a wait it lands in fails with EINTR.
 */
public final class ThreadSignals {
    static {
        TestingLibrary.ensureAvailability();
    }

    private ThreadSignals() {}

    /** Sends the signal to the calling thread {@code delayMillis} from now, from a thread of its own. */
    public static void signalMeAfter(int delayMillis) {
        int r = ThreadSignalsNative.signalMeAfter(delayMillis);
        if (r < 0) {
            throw new IllegalStateException("could not arrange the test signal: errno " + -r);
        }
    }

    /** How many of these signals the handler has run for so far. */
    public static int signalsHandled() {
        return ThreadSignalsNative.signalsHandled();
    }
}
