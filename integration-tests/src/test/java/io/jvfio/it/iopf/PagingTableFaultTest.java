package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioUnsupportedException;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultResponses;
import io.jvfio.fault.FaultServer;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.KernelVersion;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockFaultSource;
import io.jvfio.testing.MockIommuDevice;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Faults from an ordinary paging table, the way a VMM attaches a passthrough device: Linux 6.13 and
 * later deliver them (here from the iommufd test mock) and the loop serves them end to end; on 6.12,
 * which delivers faults only from nested tables, each test checks instead that the library's refusal
 * names the version that added them (no test is skipped on either kernel).
 */
@MockIommuGuest
class PagingTableFaultTest {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;
    private static final long BASE = MockIommuDevice.aperture().start();
    private static final int PAGE = 4096;
    private static final boolean PAGING_FAULTS = KernelVersion.running().atLeast(6, 13);

    private static void awaitValue(long expected, LongSupplier actual, String what) throws InterruptedException {
        assertEquals(expected, Await.atLeast(expected, actual, 120), what);
    }

    /** On 6.12 the library's refusal: the operation, EOPNOTSUPP, and the version that added paging-table faults. */
    private static void assertRefusedBefore613(Executable creation) {
        VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, creation);
        assertEquals("EOPNOTSUPP", e.errnoName());
        assertTrue(e.getMessage().contains("IOMMU_HWPT_ALLOC") && e.getMessage().contains("Linux 6.13"), e.getMessage());
    }

    /** Demand map and pins on the server a VMM would build: pinned pages mapped before, the rest on fault. */
    @Test
    void theServerDemandMapsAroundItsPinsOnAPagingTableFrom613() throws Exception {
        if (!PAGING_FAULTS) {
            assertRefusedBefore613(() -> FaultServer.forSource(new MockFaultSource(MockIommuDevice.Topology.PAGING))
                    .memory(64 * PAGE).open().close());
            return;
        }
        try (DmaBuffer guest = DmaBuffer.reserve(64 * PAGE)) {
            MockFaultSource source = new MockFaultSource(MockIommuDevice.Topology.PAGING);
            try (FaultServer server = FaultServer.forSource(source).memory(guest).pin(IovaRange.ofLength(0, 4 * PAGE)).open()) {
                MockIommuDevice mock = source.device();
                assertEquals(mock.faultingTable(), mock.mappingTable(), "one paging table: no nesting");
                assertTrue(mock.mapsTo(BASE, 4 * PAGE, guest.address()), "the pinned pages are mapped before serving");
                assertFalse(mock.mapsTo(BASE + 10 * PAGE, PAGE, guest.address() + 10 * PAGE));
                server.start();
                FaultServiceLoop loop = server.loop().orElseThrow();
                mock.trigger(0, 1, RW, BASE + 10 * PAGE + 0x20);
                awaitValue(1, () -> loop.stats().groups(), "groups answered");
                assertEquals(1, loop.stats().success());
                assertTrue(mock.mapsTo(BASE + 10 * PAGE, PAGE, guest.address() + 10 * PAGE), "the faulting page is mapped now");
                mock.trigger(0, 2, RW, BASE + 2 * PAGE);
                mock.trigger(0, 3, RW, BASE + 64 * PAGE);
                awaitValue(3, () -> loop.stats().groups(), "groups answered");
                assertEquals(2, loop.stats().invalid(), "a fault in a pinned page and one past guest memory are INVALID");
                assertEquals(1, server.demandMap().orElseThrow().pinnedFaults());
                assertEquals(1, server.demandMap().orElseThrow().outsideFaults());
            }
        }
    }

    @Test
    void everyFaultFromAPagingTableIsAnsweredExactlyOnceFrom613() throws Exception {
        if (!PAGING_FAULTS) {
            assertRefusedBefore613(() -> new MockFaultFixture(MockIommuDevice.Topology.PAGING).close());
            return;
        }
        int count = 2000;
        int[] cookies = new int[count];
        int[] seen = new int[1];
        FaultPolicy recording = group -> {
            cookies[seen[0]++] = group.cookie();
            return FaultResponse.SUCCESS;
        };
        try (MockFaultFixture source = new MockFaultFixture(MockIommuDevice.Topology.PAGING)) {
            try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, recording)) {
                assertEquals(count, source.mock.triggerBurst(0, RW, BASE, PAGE, count));
                awaitValue(count, () -> loop.stats().groups(), "groups answered");
                assertEquals(0, loop.stats().rejectedResponses());
            }
            assertEquals(count, seen[0]);
            for (int i = 0; i < count; i += 97) {
                FaultResponses again = FaultResponses.allocate(1);
                again.add(cookies[i], FaultResponse.INVALID);
                assertEquals(0, source.queue.respond(again.buffer(), 0, 1),
                        "cookie " + cookies[i] + " was answered already: the kernel refuses a second answer");
            }
            assertFalse(source.queue.hasPending());
        }
    }
}
