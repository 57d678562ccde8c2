package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioBusyException;
import io.jvfio.VfioException;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultResponses;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.testing.MockIommuDevice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the fault-service loop survives, on the kernel's real fault queue fed by the iommufd selftest
 * mock: slow and crashing policies, a policy that stops its own loop, a stop under a sustained fault
 * stream, and a close of the queue it serves. The loop must never end or hang because of them, and
 * every fault it reads must be answered exactly once. The time-out is a hang guard: a loop that
 * deadlocks (a self-join, a stop that is never seen) fails its test instead of stalling the suite.
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
@MockIommuGuest
class FaultServiceLoopRobustnessTest {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;
    private static final long BASE = MockIommuDevice.aperture().start();
    private static final int PAGE = 4096;

    private MockFaultFixture source;

    @BeforeEach
    void open() throws Exception {
        source = new MockFaultFixture();
    }

    @AfterEach
    void close() throws Exception {
        source.close();
    }

    private static void awaitValue(long expected, LongSupplier actual, String what, int seconds) throws InterruptedException {
        assertEquals(expected, Await.atLeast(expected, actual, seconds), what);
    }

    private boolean readable() throws VfioException {
        return source.queue.hasPending();
    }

    /** Whether the kernel still holds a group under this cookie: a second answer would be accepted. */
    private boolean pending(int cookie) throws VfioException {
        FaultResponses response = FaultResponses.allocate(1);
        response.add(cookie, FaultResponse.INVALID);
        return source.queue.respond(response.buffer(), 0, 1) == 1;
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void aPolicyThatBlocksLongerThanTheLatencyHistogramRangeThenReturnsLosesNothing() throws Exception {
        long blockNanos = TimeUnit.SECONDS.toNanos(20);
        CountDownLatch blocking = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FaultPolicy slowOnce = group -> {
            if (calls.getAndIncrement() == 0) {
                blocking.countDown();
                long end = System.nanoTime() + blockNanos;
                for (long left = blockNanos; left > 0; left = end - System.nanoTime()) {
                    LockSupport.parkNanos(left);
                }
            }
            return FaultResponse.SUCCESS;
        };
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, slowOnce)) {
            source.mock.trigger(0, 1, RW, BASE);
            assertTrue(blocking.await(60, TimeUnit.SECONDS), "the policy saw the first fault");
            assertEquals(100, source.mock.triggerBurst(0, RW, BASE + PAGE, PAGE, 100));
            awaitValue(101, loop::groupsAnswered, "groups answered after a 20 s batch", 120);
            assertNull(loop.failure(), "the loop is alive");
            assertTrue(loop.isRunning());
            FaultStats.Snapshot s = loop.stats();
            assertEquals(101, s.success());
            assertTrue(s.maxNanos() >= blockNanos, "the slow batch is in the statistics: " + s);
        }
        assertFalse(readable());
    }

    @Test
    void aPolicyThrowingStackOverflowErrorOnItsThirdGroupGetsItAnsweredInvalidAndTheLoopServesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FaultPolicy overflowsOnThird = group -> {
            if (calls.incrementAndGet() == 3) {
                recurse(0);
            }
            return FaultResponse.SUCCESS;
        };
        try (FaultServiceLoop loop = new FaultServiceLoop(source.queue, overflowsOnThird, 4)) {
            assertEquals(10, source.mock.triggerBurst(0, RW, BASE, PAGE, 10));
            loop.start();
            awaitValue(10, loop::groupsAnswered, "groups answered", 120);
            FaultStats.Snapshot s = loop.stats();
            assertEquals(1, s.policyErrors(), s.toString());
            assertEquals(1, s.invalid(), s.toString());
            assertEquals(9, s.success(), s.toString());
            assertNull(loop.failure());
            source.mock.trigger(0, 1, RW, BASE);
            awaitValue(11, loop::groupsAnswered, "a fault after the overflow is answered too", 120);
        }
        assertFalse(readable());
    }

    /**
     * The loop logs a policy's first failure with its stack trace, which prints the exception's message:
     * an exception whose getMessage() throws (a message built from a null field) must not end the
     * loop from inside that log call.
     */
    @Test
    void aPolicyExceptionThatCannotBePrintedGetsItsGroupAnsweredInvalidAndTheLoopServesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FaultPolicy throwsUnprintable = group -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException() {
                    @Override
                    public String getMessage() {
                        throw new NullPointerException("the message's field is null");
                    }
                };
            }
            return FaultResponse.SUCCESS;
        };
        try (FaultServiceLoop loop = new FaultServiceLoop(source.queue, throwsUnprintable, 4)) {
            assertEquals(10, source.mock.triggerBurst(0, RW, BASE, PAGE, 10));
            loop.start();
            awaitValue(10, loop::groupsAnswered, "groups answered", 120);
            assertNull(loop.failure(), "the loop is alive");
            FaultStats.Snapshot s = loop.stats();
            assertEquals(1, s.policyErrors(), s.toString());
            assertEquals(1, s.invalid(), s.toString());
            assertEquals(9, s.success(), s.toString());
            source.mock.trigger(0, 1, RW, BASE);
            awaitValue(11, loop::groupsAnswered, "a fault after it is answered too", 120);
            assertTrue(loop.isRunning());
        }
        assertFalse(readable());
    }

    @Test
    void aPolicyThatClosesItsOwnLoopGetsAClearErrorInsteadOfADeadlock() throws Exception {
        AtomicReference<FaultServiceLoop> self = new AtomicReference<>();
        AtomicReference<Exception> refused = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        FaultPolicy closesItself = group -> {
            if (calls.incrementAndGet() == 3) {
                try {
                    self.get().close();
                } catch (Exception e) {
                    refused.set(e);
                }
            }
            return FaultResponse.SUCCESS;
        };
        try (FaultServiceLoop loop = new FaultServiceLoop(source.queue, closesItself, 16)) {
            self.set(loop);
            loop.start();
            assertEquals(10, source.mock.triggerBurst(0, RW, BASE, PAGE, 10));
            awaitValue(10, loop::groupsAnswered, "groups answered (a self-join would stop at 2)", 30);
            assertNotNull(refused.get(), "close() from the loop's own thread is refused");
            assertTrue(refused.get() instanceof IllegalStateException, refused.get().toString());
            assertTrue(refused.get().getMessage().contains("own thread"), refused.get().getMessage());
            assertTrue(loop.isRunning());
        }
        assertFalse(readable());
    }

    @Test
    void aPolicyClosingALoopNeverStartedWhileItsCloseDrainsIsRefusedAndEveryFaultIsAnsweredOnce() throws Exception {
        // close() of a loop never started drains on the calling thread, through the policy: a nested
        // close from there would drain into the same buffers and tear the loop down under the outer one.
        AtomicReference<FaultServiceLoop> self = new AtomicReference<>();
        AtomicReference<Exception> refused = new AtomicReference<>();
        AtomicInteger calls = new AtomicInteger();
        FaultPolicy closesItself = group -> {
            if (calls.incrementAndGet() == 1) {
                try {
                    self.get().close();
                } catch (Exception e) {
                    refused.set(e);
                }
            }
            return FaultResponse.SUCCESS;
        };
        FaultServiceLoop loop = new FaultServiceLoop(source.queue, closesItself, 1);
        self.set(loop);
        assertEquals(3, source.mock.triggerBurst(0, RW, BASE, PAGE, 3));
        loop.close();
        assertTrue(refused.get() instanceof IllegalStateException, String.valueOf(refused.get()));
        assertEquals(3, calls.get(), "each group went to the policy once");
        assertEquals(3, loop.stats().groups(), loop.stats().toString());
        assertEquals(3, loop.stats().success(), loop.stats().toString());
        assertFalse(readable());
        for (int cookie = 0; cookie < 8; cookie++) {
            assertFalse(pending(cookie), "group " + cookie + " is still unanswered");
        }
    }

    @Test
    void stopUnderASustainedFaultStreamReturnsAndAnswersEveryFaultItRead() throws Exception {
        // The device faults until stop() has returned (or gives up after 120 s, which only a stop that
        // waits for the stream to end would let happen): no wall-clock window for stop() to fit in.
        long giveUpNanos = TimeUnit.SECONDS.toNanos(120);
        int maxQueued = 500;
        AtomicLong resolved = new AtomicLong();
        Set<Integer> cookies = ConcurrentHashMap.newKeySet(); // the kernel reuses a cookie once it is answered
        // A slow policy keeps the queue from ever running dry while the producer runs.
        FaultPolicy slow = group -> {
            resolved.incrementAndGet();
            cookies.add(group.cookie());
            LockSupport.parkNanos(100_000);
            return FaultResponse.SUCCESS;
        };
        FaultServiceLoop loop = FaultServiceLoop.start(source.queue, slow);
        AtomicLong triggered = new AtomicLong();
        AtomicBoolean stopReturned = new AtomicBoolean();
        AtomicBoolean gaveUp = new AtomicBoolean();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            long end = System.nanoTime() + giveUpNanos;
            try {
                while (!stopReturned.get()) {
                    if (System.nanoTime() - end > 0) {
                        gaveUp.set(true);
                        return;
                    }
                    if (triggered.get() - loop.groupsAnswered() < maxQueued) {
                        triggered.addAndGet(source.mock.triggerBurst(0, RW, BASE, PAGE, 50));
                    } else {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            } catch (Throwable t) {
                producerFailure.set(t);
            }
        }, "fault-producer");
        producer.start();
        try {
            assertTrue(Await.atLeast(200, loop::groupsAnswered, 60) >= 200, "groups answered before stop");
            loop.stop();
            stopReturned.set(true);
        } finally {
            stopReturned.set(true);
            producer.join();
            loop.close();
        }
        assertNull(producerFailure.get());
        assertFalse(gaveUp.get(), "stop() waited for the device to stop faulting");
        FaultStats.Snapshot s = loop.stats();
        assertEquals(s.faults(), s.groups(), "every fault read was answered: " + s);
        assertEquals(s.groups(), s.success());
        assertEquals(0, s.rejectedResponses());
        assertEquals(s.groups(), resolved.get(), "the policy saw each group once");
        for (int cookie : cookies) {
            assertFalse(pending(cookie), "cookie " + cookie + " was answered already: the kernel refuses it");
        }
        source.mock.triggerBurst(0, RW, BASE, PAGE, 1);
        assertTrue(readable(), "a fault after the stop stays queued (the kernel answers it on destroy)");
    }

    @Test
    void aResponseTheKernelRefusesIsCountedAndTheRestOfItsBatchIsStillAnswered() throws Exception {
        int count = 40;
        // Cookie values: the kernel hands out the lowest free one, so each batch reuses the last batch's.
        Set<Integer> cookies = ConcurrentHashMap.newKeySet();
        AtomicInteger seen = new AtomicInteger();
        AtomicInteger answeredAhead = new AtomicInteger();
        // Every third group, each batch's first among them, is answered behind the loop's back before the
        // loop writes: the kernel refuses the loop's answer to it, which ends that write early.
        FaultPolicy answersSomeItself = group -> {
            cookies.add(group.cookie());
            if (seen.getAndIncrement() % 3 == 0) {
                FaultResponses own = FaultResponses.allocate(1);
                own.add(group.cookie(), FaultResponse.SUCCESS);
                answeredAhead.addAndGet(source.queue.respond(own.buffer(), 0, 1));
            }
            return FaultResponse.SUCCESS;
        };
        // Queued before the loop reads, so that each read returns a full batch of groups (15, 15, then 10).
        assertEquals(count, source.mock.triggerBurst(0, RW, BASE, PAGE, count));
        try (FaultServiceLoop loop = new FaultServiceLoop(source.queue, answersSomeItself, 15)) {
            loop.start();
            awaitValue(count, () -> loop.stats().groups(), "groups answered", 60);
            FaultStats.Snapshot s = loop.stats();
            assertEquals(count, seen.get(), "the policy saw each group once");
            assertEquals((count + 2) / 3, answeredAhead.get(), "the policy's own answers were taken");
            assertEquals(answeredAhead.get(), s.rejectedResponses(), "each refused response is counted: " + s);
            assertEquals(count - answeredAhead.get(), s.success(), "a SUCCESS the kernel refused is not one: " + s);
            assertTrue(s.partialWrites() > 0, "a refusal inside a batch ends its write early: " + s);
            assertEquals(0, s.policyErrors());
            assertNull(loop.failure());
        }
        for (int cookie : cookies) {
            assertFalse(pending(cookie), "cookie " + cookie + " is still pending: the loop dropped the rest of a batch");
        }
        assertFalse(readable());
    }

    @Test
    void aLoopThreadThatEndsAnywaySaysWhyAndItsCloseAnswersWhatIsPendingInvalid() throws Exception {
        AtomicReference<FaultServiceLoop> self = new AtomicReference<>();
        // Stands in for the loop's own I/O failing (nothing a policy does can end it): its epoll fd goes away.
        FaultPolicy breaksTheLoopsEpoll = group -> {
            Field epoll = FaultServiceLoop.class.getDeclaredField("epoll");
            epoll.setAccessible(true);
            ((AutoCloseable) epoll.get(self.get())).close();
            return FaultResponse.SUCCESS;
        };
        FaultServiceLoop loop = new FaultServiceLoop(source.queue, breaksTheLoopsEpoll, 16);
        self.set(loop);
        loop.start();
        source.mock.trigger(0, 1, RW, BASE);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (loop.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(loop.isRunning(), "the loop thread ended");
        assertNotNull(loop.failure(), "and says why");
        assertEquals(1, loop.groupsAnswered(), "the batch in hand was answered");
        assertEquals(20, source.mock.triggerBurst(0, RW, BASE + PAGE, PAGE, 20));
        assertTrue(readable());
        VfioException failed = assertThrows(VfioException.class, loop::close);
        assertSame(loop.failure(), failed.getCause(), failed.toString());
        assertFalse(readable(), "what was pending is answered from the closing thread");
        FaultStats.Snapshot s = loop.stats();
        assertEquals(21, s.groups(), s.toString());
        assertEquals(20, s.invalid(), s.toString());
        loop.close();
        source.closeMock();
        source.queue.close();
    }

    @Test
    void aCloseHeldByAPolicyThatDoesNotReturnSaysInTheLogWhereTheLoopThreadIs() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FaultPolicy holdsOn = group -> {
            entered.countDown();
            while (!release.await(1, TimeUnit.SECONDS)) {
                // held until the test has seen the warning
            }
            return FaultResponse.SUCCESS;
        };
        FaultServiceLoop loop = FaultServiceLoop.start(source.queue, holdsOn);
        ClosingThread closer = new ClosingThread(loop, "closer");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        PrintStream err = System.err; // slf4j-simple writes to System.err as it is at each line
        System.setErr(new PrintStream(new Tee(err, log), true, StandardCharsets.UTF_8));
        String logged;
        boolean closing;
        try {
            source.mock.trigger(0, 1, RW, BASE);
            assertTrue(entered.await(60, TimeUnit.SECONDS), "the policy saw the fault");
            closer.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // the first warning comes after 5 s
            while (!Tee.text(log).contains("lambda$aCloseHeld") && System.nanoTime() - deadline < 0) {
                Thread.sleep(100);
            }
            logged = Tee.text(log);
            closing = closer.isAlive();
        } finally {
            System.setErr(err);
            release.countDown();
            if (!closer.started()) {
                loop.close(); // the fault never came: the queue must not be left claimed for @AfterEach
            }
            closer.join(30); // within the class's 180 s time-out
        }
        assertTrue(closing, "the close still waited for the policy when the warning came");
        assertTrue(logged.contains("the stop of the fault loop of " + source.queue + " has waited "), logged);
        assertTrue(logged.contains(" s for its thread jvfio-fault-" + source.queue.id() + ", which has not ended"), logged);
        assertTrue(logged.contains("io.jvfio.it.iopf.FaultServiceLoopRobustnessTest.lambda$aCloseHeld"),
                "the policy's frame: " + logged);
        assertFalse(closer.isAlive(), "the close ends once the policy returns");
        assertNull(closer.failure());
        assertEquals(1, loop.groupsAnswered());
        assertFalse(readable());
    }

    /** Writes to two streams: what the test reads, and the console it keeps showing. */
    private static final class Tee extends OutputStream {
        private final OutputStream console;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream console, ByteArrayOutputStream copy) {
            this.console = console;
            this.copy = copy;
        }

        static String text(ByteArrayOutputStream copy) {
            synchronized (copy) {
                return copy.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            console.write(b, off, len);
            synchronized (copy) {
                copy.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            console.flush();
        }
    }

    @Test
    void closingTheQueueThatARunningLoopServesIsRefusedAndTheLoopServesOn() throws Exception {
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, group -> FaultResponse.SUCCESS)) {
            source.mock.trigger(0, 1, RW, BASE);
            awaitValue(1, loop::groupsAnswered, "groups answered", 60);
            // Without its page table, only the running loop stands in the way of closing the queue.
            source.closeMock();
            VfioBusyException busy = assertThrows(VfioBusyException.class, source.queue::close);
            assertTrue(busy.getMessage().contains("fault queue " + source.queue.id()), busy.getMessage());
            assertTrue(busy.getMessage().contains("fault loop jvfio-fault-" + source.queue.id() + " still serves it"),
                    busy.getMessage());
            try (MockIommuDevice again = MockIommuDevice.create(source.ioas, source.queue)) {
                again.trigger(0, 2, RW, BASE + PAGE);
                awaitValue(2, loop::groupsAnswered, "the loop still serves the same queue", 60);
            }
            assertNull(loop.failure());
        }
        source.queue.close();
    }
}
