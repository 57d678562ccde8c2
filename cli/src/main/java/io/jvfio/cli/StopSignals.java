package io.jvfio.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as a stop request, instead of the JVM's shutdown: the command then
 * closes, reports and returns its exit status on the normal path, errors included. A second signal
 * goes to the previous handler (the JVM's: exit), for a stop that hangs. The previous handlers come
 * back on {@link #close()}.
 */
final class StopSignals implements AutoCloseable {
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final CountDownLatch requested = new CountDownLatch(1);
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    StopSignals() {
        for (String name : SIGNALS) {
            Signal signal = new Signal(name);
            int index = previous.size();
            previous.add(Signal.handle(signal, s -> {
                if (requested.getCount() == 0) {
                    previous.get(index).handle(s);
                }
                requested.countDown();
            }));
            signals.add(signal);
        }
    }

    /** Whether a stop signal came. */
    boolean requested() {
        return requested.getCount() == 0;
    }

    /** Waits up to {@code millis} for a stop signal; true if one came. */
    boolean await(long millis) throws InterruptedException {
        return requested.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        for (int i = 0; i < signals.size(); i++) {
            Signal.handle(signals.get(i), previous.get(i));
        }
    }
}
