package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultResponses;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockIommuDevice;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fault-service loop on the kernel's real fault queue, fed by the iommufd selftest mock. */
@MockIommuGuest
class FaultServiceLoopTest {
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

    private static void awaitValue(long expected, LongSupplier actual, String what) throws InterruptedException {
        assertEquals(expected, Await.atLeast(expected, actual, 120), what);
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

    @Test
    void demandMapMapsTheFaultingPageAndRefusesOutsideTheRegion() throws Exception {
        try (DmaBuffer guest = DmaBuffer.reserve(256 * PAGE)) {
            DemandMapPolicy policy = new DemandMapPolicy(source.ioas)
                    .addRegion(new GuestRegion(BASE, guest.address(), guest.size(), EnumSet.of(Access.READ, Access.WRITE)));
            try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, policy)) {
                assertFalse(source.mock.mapsTo(BASE + 5 * PAGE, PAGE, guest.address() + 5 * PAGE));
                source.mock.trigger(0, 1, RW, BASE + 5 * PAGE + 0x10);
                awaitValue(1, () -> loop.stats().groups(), "groups answered");
                assertTrue(source.mock.mapsTo(BASE + 5 * PAGE, PAGE, guest.address() + 5 * PAGE),
                        "the mock domain now maps the faulting page to guest memory");
                assertEquals(1, loop.stats().success());
                source.mock.trigger(0, 2, RW, BASE + 1000 * PAGE);
                source.mock.trigger(0, 3, FaultPermissions.PRIV | FaultPermissions.READ, BASE + 6 * PAGE);
                awaitValue(3, () -> loop.stats().groups(), "groups answered");
                assertEquals(2, loop.stats().invalid(), "outside the region and privileged: INVALID");
                assertEquals(2, policy.outsideFaults());
            }
            assertEquals(PAGE, policy.unmapAll());
        }
    }

    /**
     * Demand mapping under a burst, in batches of one and of 64: each group is answered once, SUCCESS,
     * with its page mapped, and the kernel holds no group unanswered (its cookies are reused once
     * answered, so a group left unanswered keeps its own, and a second answer to it is taken).
     */
    @Test
    void aBurstOfDemandFaultsIsMappedAndAnsweredOnceEachInBatchesOfOneAndOfMany() throws Exception {
        int faults = 300;
        try (DmaBuffer guest = DmaBuffer.reserve(faults * PAGE)) {
            for (int batch : new int[] {1, FaultServiceLoop.DEFAULT_BATCH}) {
                DemandMapPolicy policy = new DemandMapPolicy(source.ioas)
                        .addRegion(new GuestRegion(BASE, guest.address(), guest.size(), EnumSet.of(Access.READ, Access.WRITE)));
                Set<Integer> cookies = new TreeSet<>();
                FaultPolicy noting = group -> {
                    cookies.add(group.cookie());
                    return policy.resolve(group);
                };
                try (FaultServiceLoop loop = new FaultServiceLoop(source.queue, noting, batch)) {
                    loop.start();
                    source.mock.triggerBurst(0, RW, BASE, PAGE, faults);
                    awaitValue(faults, () -> loop.stats().groups(), "groups answered, batch " + batch);
                    FaultStats.Snapshot s = loop.stats();
                    assertEquals(faults, s.success(), "batch " + batch + ": " + s);
                    assertEquals(0, s.rejectedResponses(), "no group answered twice, batch " + batch + ": " + s);
                    assertTrue(batch == 1 || s.maxBatch() > 1, "the burst came in batches: " + s);
                }
                assertEquals(faults, policy.pagesMapped());
                for (int p = 0; p < faults; p++) {
                    assertTrue(source.mock.mapsTo(BASE + (long) p * PAGE, PAGE, guest.address() + (long) p * PAGE),
                            "page " + p + ", answered SUCCESS, is mapped (batch " + batch + ")");
                }
                for (int cookie : cookies) {
                    assertFalse(pending(cookie), "the kernel took an answer under cookie " + cookie + " (batch " + batch + ")");
                }
                assertFalse(readable(), "nothing left to read, batch " + batch);
                assertEquals((long) faults * PAGE, policy.unmapAll());
                policy.close();
            }
        }
    }

    @Test
    void pinnedRangesAreMappedBeforeTheDeviceRunsAndAFaultInThemIsReported() throws Exception {
        try (DmaBuffer guest = DmaBuffer.reserve(64 * PAGE)) {
            DemandMapPolicy policy = new DemandMapPolicy(source.ioas)
                    .addRegion(new GuestRegion(BASE, guest.address(), guest.size(), EnumSet.of(Access.READ, Access.WRITE)));
            policy.pin(IovaRange.ofLength(BASE, 4 * PAGE));
            assertTrue(source.mock.mapsTo(BASE, 4 * PAGE, guest.address()), "pinned eagerly");
            try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, policy)) {
                source.mock.trigger(0, 1, RW, BASE + 2 * PAGE);
                awaitValue(1, () -> loop.stats().groups(), "groups answered");
                assertEquals(1, loop.stats().invalid());
                assertEquals(1, policy.pinnedFaults());
            }
            policy.unmapAll();
        }
    }

    @Test
    void aThrowingPolicyStillAnswersEveryGroup() throws Exception {
        FaultPolicy broken = group -> {
            throw new IllegalStateException("policy bug");
        };
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, broken)) {
            source.mock.triggerBurst(0, RW, BASE, PAGE, 10);
            awaitValue(10, () -> loop.stats().groups(), "groups answered");
            FaultStats.Snapshot s = loop.stats();
            assertEquals(10, s.policyErrors());
            assertEquals(10, s.invalid());
        }
        assertFalse(readable());
    }

    @Test
    void everyFaultIsAnsweredExactlyOnce() throws Exception {
        int count = 2000;
        int[] cookies = new int[count];
        int[] seen = new int[1];
        FaultPolicy recording = group -> {
            cookies[seen[0]++] = group.cookie();
            return FaultResponse.SUCCESS;
        };
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, recording)) {
            assertEquals(count, source.mock.triggerBurst(0, RW, BASE, PAGE, count));
            awaitValue(count, () -> loop.stats().groups(), "groups answered");
            assertEquals(0, loop.stats().rejectedResponses());
        }
        assertEquals(count, seen[0]);
        for (int i = 0; i < count; i += 97) {
            assertFalse(pending(cookies[i]), "cookie " + cookies[i] + " was answered already: the kernel refuses it");
        }
        assertFalse(readable());
    }

    @Test
    void stopAnswersWhatIsPendingOnALoopNeverStarted() throws Exception {
        FaultServiceLoop loop = new FaultServiceLoop(source.queue, group -> FaultResponse.SUCCESS, 16);
        source.mock.triggerBurst(0, RW, BASE, PAGE, 50);
        assertTrue(readable());
        loop.close();
        assertEquals(50, loop.stats().groups());
        assertFalse(readable(), "nothing left pending after close");
        loop.close();
    }

    @Test
    void stopAnswersWhatIsPendingOnARunningLoop() throws Exception {
        CountDownLatch inPolicy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FaultPolicy holdsTheFirstGroup = group -> {
            if (calls.getAndIncrement() == 0) {
                inPolicy.countDown();
                release.await();
            }
            return FaultResponse.SUCCESS;
        };
        FaultServiceLoop loop = FaultServiceLoop.start(source.queue, holdsTheFirstGroup);
        source.mock.trigger(0, 1, RW, BASE);
        assertTrue(inPolicy.await(60, TimeUnit.SECONDS), "the policy holds the first group");
        assertEquals(50, source.mock.triggerBurst(0, RW, BASE + PAGE, PAGE, 50));
        ClosingThread stopper = new ClosingThread(loop, "stopper");
        stopper.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!stopper.waiting() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(readable(), "50 faults wait behind the held group while close() waits for the loop");
        release.countDown();
        stopper.join(120);
        assertFalse(stopper.isAlive(), "close() returned");
        assertNull(stopper.failure());
        assertEquals(51, loop.stats().groups());
        assertFalse(readable(), "nothing left pending after close");
    }

    @Test
    void aStormOf100000FaultsLosesNothing() throws Exception {
        long count = 100_000;
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, group -> FaultResponse.SUCCESS)) {
            long delivered = 0;
            while (delivered < count) {
                delivered += source.mock.triggerBurst(0, RW, BASE, PAGE, Math.min(10_000, count - delivered));
            }
            awaitValue(count, () -> loop.stats().groups(), "groups answered");
            FaultStats.Snapshot s = loop.stats();
            assertEquals(count, s.faults());
            assertEquals(count, s.success());
            assertEquals(0, s.rejectedResponses());
            assertEquals(0, s.policyErrors());
            System.out.println("storm: " + s);
        }
        assertFalse(readable());
    }
}
