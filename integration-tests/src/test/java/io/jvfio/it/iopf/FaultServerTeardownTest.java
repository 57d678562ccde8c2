package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.DeviceFaultMode;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServer;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultSource;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockFaultSource;
import io.jvfio.testing.MockIommuDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The library's FaultServer over the kernel's fault mock: what it sets up, and the order it tears down in. */
@MockIommuGuest
class FaultServerTeardownTest {
    private static final int PAGE = 4096;
    /** Small enough that close's bounded drain (1 s) answers them all many times over, even under a slow TCG. */
    private static final int PAGES = 1024;

    @Test
    void closeStopsServingBeforeItUnmapsSoNoFaultMapsAPageBackIn() throws Exception {
        MockFaultSource mock = new MockFaultSource();
        FaultServer server = FaultServer.forSource(mock).memory((long) PAGES * PAGE).pin(IovaRange.ofLength(0, 16 * PAGE)).open();
        DemandMapPolicy demandMap = server.demandMap().orElseThrow();
        long iova = server.region().iova();
        try {
            assertEquals(DeviceFaultMode.ARBITRARY_FAULTS, server.decision().mode());
            assertTrue(demandMap.isMapped(iova) && !demandMap.isMapped(iova + 16 * PAGE), "pins are mapped before serving");
            // Not started: every fault is still pending when close begins, and the loop answers them as it stops.
            mock.device().triggerBurst(0, FaultPermissions.READ | FaultPermissions.WRITE, iova + 16 * PAGE, PAGE, PAGES - 16);
        } finally {
            server.close();
        }
        assertEquals(PAGES - 16, server.loop().orElseThrow().stats().success(), "close answered the pending faults");
        for (long page = iova; page < iova + (long) PAGES * PAGE; page += PAGE) {
            assertTrue(!demandMap.isMapped(page), String.format("0x%x was mapped after close unmapped guest memory", page));
        }
    }

    /**
     * What the server reports pinned is what its demand map has pinned now: an unmapAll() unmapped the
     * pins (later faults there are mapped on demand), and a pin added since is pinned.
     */
    @Test
    void pinnedAndFaultableFollowTheDemandMapsPinsAfterTheServerOpened() throws Exception {
        try (FaultServer server = FaultServer.forSource(new MockFaultSource()).memory((long) PAGES * PAGE)
                .pin(IovaRange.ofLength(0, 16 * PAGE)).open()) {
            DemandMapPolicy demandMap = server.demandMap().orElseThrow();
            long iova = server.region().iova();
            IovaRange all = server.region().iovaRange();
            assertEquals(List.of(IovaRange.ofLength(iova, 16 * PAGE)), server.pinned());
            demandMap.unmapAll();
            assertEquals(List.of(), server.pinned(), "unmapAll unmapped the pins");
            assertEquals(List.of(all), server.faultable());
            demandMap.pin(IovaRange.ofLength(iova + 32 * PAGE, 2 * PAGE));
            assertEquals(List.of(IovaRange.ofLength(iova + 32 * PAGE, 2 * PAGE)), server.pinned());
            assertEquals(all.minus(server.pinned()), server.faultable());
        }
    }

    @Test
    void aPolicyThatClosesItsOwnServerIsRefusedAndNothingIsTornDownUnderTheLoop() throws Exception {
        AtomicReference<FaultServer> self = new AtomicReference<>();
        AtomicReference<Throwable> refusal = new AtomicReference<>();
        FaultPolicy closesItsServer = group -> {
            try {
                self.get().close();
            } catch (Throwable t) {
                refusal.compareAndSet(null, t);
            }
            return FaultResponse.INVALID;
        };
        MockFaultSource source = new MockFaultSource();
        try (FaultServer server = FaultServer.forSource(source).memory(16L * PAGE).policy(closesItsServer).open()) {
            self.set(server);
            server.start();
            MockIommuDevice mock = source.device();
            long iova = server.region().iova();
            FaultServiceLoop loop = server.loop().orElseThrow();
            mock.triggerBurst(0, FaultPermissions.READ, iova, PAGE, 1);
            awaitGroups(loop, 1);
            assertInstanceOf(IllegalStateException.class, refusal.get(), "the policy's close() is refused");
            assertTrue(refusal.get().getMessage().contains("own thread"), refusal.get().getMessage());
            assertTrue(loop.isRunning(), "the loop serves on");
            mock.triggerBurst(0, FaultPermissions.READ, iova + PAGE, PAGE, 1);
            awaitGroups(loop, 2);
        }
    }

    @Test
    void guestMemoryItsCallerClosesFirstIsNeverReusedUnderTheServer() throws Exception {
        DmaBuffer guest = DmaBuffer.reserve(16L * PAGE);
        long address = guest.address();
        MockFaultSource mock = new MockFaultSource();
        try (FaultServer server = FaultServer.forSource(mock).memory(guest).open()) {
            server.start();
            guest.close();
            try (DmaBuffer later = DmaBuffer.reserve(16L * PAGE)) {
                assertNotEquals(address, later.address(), "closed guest memory stays reserved while the server runs");
            }
            mock.device().triggerBurst(0, FaultPermissions.READ, server.region().iova(), PAGE, 1);
            FaultServiceLoop loop = server.loop().orElseThrow();
            awaitGroups(loop, 1);
            DemandMapPolicy demandMap = server.demandMap().orElseThrow();
            assertEquals(1, loop.stats().invalid(), "a fault on memory its owner closed is refused");
            assertEquals(1, demandMap.mapFailures());
            assertTrue(!demandMap.isMapped(server.region().iova()));
        }
    }

    @Test
    void guestMemoryLargerThanAByteBufferIsServed() throws Exception {
        // More than a ByteBuffer holds: the server's hold on the caller's memory must not need a view of all of it.
        try (DmaBuffer guest = DmaBuffer.reserve(3L << 30)) {
            MockFaultSource mock = new MockFaultSource();
            try (FaultServer server = FaultServer.forSource(mock).memory(guest).open()) {
                server.start();
                mock.device().triggerBurst(0, FaultPermissions.READ, server.region().iova() + PAGE, PAGE, 1);
                FaultServiceLoop loop = server.loop().orElseThrow();
                awaitGroups(loop, 1);
                assertEquals(1, loop.stats().success(), loop.stats().toString());
                assertTrue(server.demandMap().orElseThrow().isMapped(server.region().iova() + PAGE));
            }
        }
    }

    @Test
    void aCloseOnAnInterruptedThreadStillTearsEverythingDownAndKeepsTheInterrupt() throws Exception {
        // Once before counting: a first use may open a jar of the class path, which stays open.
        try (FaultServer warmUp = FaultServer.forSource(new MockFaultSource()).memory(16L * PAGE).open()) {
            warmUp.start();
        }
        long before = openDescriptors();
        MockFaultSource mock = new MockFaultSource();
        FaultServer server = FaultServer.forSource(mock).memory(16L * PAGE).open();
        server.start();
        mock.device().triggerBurst(0, FaultPermissions.READ, server.region().iova(), PAGE, 1);
        awaitGroups(server.loop().orElseThrow(), 1);
        // As a cancelled task's thread leaves its try-with-resources: the interrupt is set before close.
        Thread.currentThread().interrupt();
        try {
            server.close();
        } finally {
            assertTrue(Thread.interrupted(), "close kept the caller's interrupt");
        }
        assertTrue(!server.loop().orElseThrow().isRunning());
        assertEquals(before, openDescriptors(), "the iommufd, the queue, the mock, epoll and the eventfd are closed");
    }

    @Test
    void aSourceThatThrowsAnErrorWhileAttachingLeavesNothingOpen() throws Exception {
        FaultSource asserts = new FaultSource() {
            @Override
            public long defaultIova() {
                return MockIommuDevice.aperture().start();
            }

            @Override
            public void attach(IoAddressSpace ioas, FaultQueue queue) {
                throw new AssertionError("a vendor's attach asserts");
            }

            @Override
            public void close() {}
        };
        // Once before counting: a first use may open a jar of the class path, which stays open.
        assertThrows(AssertionError.class, () -> FaultServer.forSource(asserts).memory(16L * PAGE).open());
        long before = openDescriptors();
        AssertionError e = assertThrows(AssertionError.class, () -> FaultServer.forSource(asserts).memory(16L * PAGE).open());
        assertEquals("a vendor's attach asserts", e.getMessage());
        assertEquals(before, openDescriptors(), "the iommufd and the fault queue opened before attach are closed");
    }

    @Test
    void aPolicyStartingItsServerWhileAnotherThreadClosesItIsRefusedInsteadOfDeadlocking() throws Exception {
        AtomicReference<FaultServer> self = new AtomicReference<>();
        AtomicReference<Thread> closer = new AtomicReference<>();
        AtomicReference<Throwable> refusal = new AtomicReference<>();
        CountDownLatch inPolicy = new CountDownLatch(1);
        FaultPolicy startsItsServer = group -> {
            inPolicy.countDown();
            // Once close() holds the server and waits for this loop to end, start() would wait for close().
            while (!ClosingThread.waiting(closer.get())) {
                Thread.onSpinWait();
            }
            try {
                self.get().start();
            } catch (Throwable t) {
                refusal.compareAndSet(null, t);
            }
            return FaultResponse.INVALID;
        };
        MockFaultSource source = new MockFaultSource();
        FaultServer server = FaultServer.forSource(source).memory(16L * PAGE).policy(startsItsServer).open();
        self.set(server);
        server.start();
        source.device().triggerBurst(0, FaultPermissions.READ, server.region().iova(), PAGE, 1);
        assertTrue(inPolicy.await(60, TimeUnit.SECONDS), "the fault reached the policy");
        Thread t = new Thread(() -> {
            try {
                server.close();
            } catch (Exception ex) {
                refusal.compareAndSet(null, ex);
            }
        }, "closer");
        t.setDaemon(true);
        closer.set(t);
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(120)); // a hang guard: a deadlock never ends
        assertTrue(!t.isAlive(), "close() and the policy's start() wait for each other");
        assertInstanceOf(IllegalStateException.class, refusal.get(), "the policy's start() is refused");
        assertTrue(refusal.get().getMessage().contains("own thread"), refusal.get().getMessage());
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static void awaitGroups(FaultServiceLoop loop, long groups) throws InterruptedException {
        long answered = Await.atLeast(groups, () -> loop.stats().groups(), 60);
        assertTrue(answered >= groups, "the loop answered " + answered + " of " + groups + " groups");
    }
}
