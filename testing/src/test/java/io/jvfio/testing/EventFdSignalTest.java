package io.jvfio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.EventFd;
import org.junit.jupiter.api.Test;

/** A signal landing in EventFd.await (a profiler's, JFR's sampler's) does not end the wait early. */
class EventFdSignalTest {
    @Test
    void aSignalDuringAwaitDoesNotTurnTheWaitIntoATimeOut() throws Exception {
        try (EventFd interrupt = EventFd.create()) {
            int before = ThreadSignals.signalsHandled();
            Thread device = new Thread(() -> {
                // The device's interrupt comes only after the signal has landed in the wait.
                while (ThreadSignals.signalsHandled() == before) {
                    Thread.onSpinWait();
                }
                try {
                    interrupt.signal(7);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            device.setDaemon(true);
            device.start();
            ThreadSignals.signalMeAfter(200); // this thread is in await's poll by then
            long got = interrupt.await(60_000);
            assertTrue(ThreadSignals.signalsHandled() > before, "the signal was sent");
            assertEquals(7, got, "await ended at the signal, before the interrupt came");
            device.join();
        }
    }
}
