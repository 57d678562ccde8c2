package io.jvfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a VMM's interrupt thread and its shutdown do with an eventfd, on the host's kernel. */
class EventFdTest {
    /** Long enough for the waiter to be inside its poll when the close comes; not asserted on. */
    private static final long LET_IT_POLL_MILLIS = 300;

    @Test
    void aWaitForEverEndsWhenAnotherThreadClosesTheEventFd() throws Exception {
        EventFd interrupt = EventFd.create();
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Throwable> end = new CompletableFuture<>();
        Thread waiter = new Thread(() -> {
            try {
                waiting.countDown();
                end.complete(new AssertionError("await returned " + interrupt.await(-1) + " on a closed eventfd"));
            } catch (Throwable t) {
                end.complete(t);
            }
        }, "interrupt-waiter");
        waiter.setDaemon(true);
        waiter.start();
        assertTrue(waiting.await(30, TimeUnit.SECONDS));
        Thread.sleep(LET_IT_POLL_MILLIS);
        interrupt.close();
        waiter.join(TimeUnit.SECONDS.toMillis(30)); // a hang guard, not a measure
        assertFalse(waiter.isAlive(), "the waiter still waits on the eventfd closed under it");
        Throwable t = end.get();
        assertInstanceOf(IllegalStateException.class, t, String.valueOf(t));
        assertTrue(t.getMessage().contains("eventfd is closed"), t.getMessage());
    }

    @Test
    void aCounterAboveLongMaxIsReadInPartsNotMistakenForAnErrno() throws Exception {
        try (EventFd e = EventFd.create()) {
            e.signal(Long.MAX_VALUE);
            e.signal(Long.MAX_VALUE); // the counter is 2^64 - 2, its most
            assertEquals(Long.MAX_VALUE, e.tryRead());
            assertEquals(Long.MAX_VALUE, e.tryRead(), "the rest, 2^63 - 1, kept for the next read");
            assertEquals(0, e.tryRead());
        }
    }

    @Test
    void aNegativeSignalIsRefusedAndAddsNothing() throws Exception {
        try (EventFd e = EventFd.create()) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> e.signal(-11));
            assertTrue(negative.getMessage().startsWith("eventfd write(eventfd (fd "), negative.getMessage());
            assertTrue(negative.getMessage().endsWith("the value added is 0 or more, not -11"), negative.getMessage());
            assertEquals(0, e.tryRead());
            e.signal(3);
            assertEquals(3, e.await(1000));
        }
    }

    /**
     * Two threads wait on one eventfd (an IRQ and its shutdown, say) and each signal wakes both: the
     * one that loses the read must wait on, not report a time-out that did not happen.
     */
    @Test
    void aWaiterThatLosesTheReadToAnotherWaitsOnInsteadOfTimingOut() throws Exception {
        int signals = 2_000;
        try (EventFd e = EventFd.create()) {
            AtomicLong received = new AtomicLong();
            AtomicLong early = new AtomicLong();
            List<Thread> waiters = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread waiter = new Thread(() -> {
                    try {
                        while (received.get() < signals) {
                            long value = e.await(60_000);
                            if (value == 0) {
                                early.incrementAndGet(); // 0 before the minute was up
                            }
                            received.addAndGet(value);
                        }
                    } catch (VfioException | IllegalStateException closed) {
                        // the close below ends the one still waiting
                    }
                });
                waiter.start();
                waiters.add(waiter);
            }
            for (int i = 1; i <= signals; i++) {
                e.signal(1);
                while (received.get() < i && early.get() == 0) {
                    Thread.onSpinWait();
                }
                if (early.get() != 0) {
                    break;
                }
            }
            e.close();
            for (Thread waiter : waiters) {
                waiter.join(10_000);
            }
            assertEquals(0, early.get(), "awaits that returned 0 without timing out");
            assertEquals(signals, received.get());
        }
    }
}
