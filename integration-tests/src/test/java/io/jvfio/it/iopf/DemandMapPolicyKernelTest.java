package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockIommuDevice;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What {@link DemandMapPolicy} answers is what the kernel's page table holds: checked against the
 * mock domain itself (IOMMU_TEST_OP_MD_CHECK_MAP), with mappings made behind the policy's back.
 */
@MockIommuGuest
class DemandMapPolicyKernelTest {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;
    private static final long BASE = MockIommuDevice.aperture().start();
    private static final int PAGE = 4096;
    private static final Set<Access> READ_WRITE = EnumSet.of(Access.READ, Access.WRITE);

    private MockFaultFixture source;
    private DmaBuffer guest;
    private DmaBuffer other;

    @BeforeEach
    void open() throws Exception {
        source = new MockFaultFixture();
        guest = DmaBuffer.reserve(64 * PAGE);
        other = DmaBuffer.allocate(PAGE);
    }

    @AfterEach
    void close() throws Exception {
        source.ioas.unmapAll();
        source.close();
        guest.close();
        other.close();
    }

    private DemandMapPolicy policyOverGuest() {
        return new DemandMapPolicy(source.ioas).addRegion(new GuestRegion(BASE, guest.address(), guest.size(), READ_WRITE));
    }

    /** Fires one fault at {@code iova} and waits until the loop has answered {@code groups} groups in all. */
    private static void fault(MockFaultFixture source, FaultServiceLoop loop, long iova, long groups) throws Exception {
        source.mock.trigger(0, (int) groups, RW, iova);
        assertEquals(groups, Await.atLeast(groups, () -> loop.stats().groups(), 120), "groups answered");
    }

    @Test
    void aPageSomethingElseMappedIsNeitherVouchedForNorUnmapped() throws Exception {
        long foreign = BASE + 5 * PAGE;
        source.ioas.map(other.address(), PAGE, foreign, READ_WRITE);
        DemandMapPolicy policy = policyOverGuest();
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, policy)) {
            fault(source, loop, foreign, 1);
            FaultStats.Snapshot s = loop.stats();
            assertEquals(1, s.invalid(), "the policy cannot vouch for a mapping it did not make: " + s);
        }
        assertEquals(1, policy.foreignFaults());
        assertFalse(policy.isMapped(foreign));
        assertEquals(0, policy.unmapAll(), "nothing of the policy's own was mapped");
        assertTrue(source.mock.mapsTo(foreign, PAGE, other.address()), "the foreign mapping is left alone");
    }

    @Test
    void aPageUnmappedBehindThePolicysBackIsMappedAgainOnTheNextFault() throws Exception {
        long page = BASE + 5 * PAGE;
        DemandMapPolicy policy = policyOverGuest();
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, policy)) {
            fault(source, loop, page, 1);
            assertTrue(source.mock.mapsTo(page, PAGE, guest.address() + 5 * PAGE));
            assertEquals(PAGE, source.ioas.unmap(page, PAGE));
            assertFalse(source.mock.mapsTo(page, PAGE, guest.address() + 5 * PAGE));
            fault(source, loop, page, 2);
            assertEquals(2, loop.stats().success());
            assertTrue(source.mock.mapsTo(page, PAGE, guest.address() + 5 * PAGE), "SUCCESS means the page is mapped");
        }
        assertEquals(PAGE, policy.unmapAll());
        assertFalse(source.mock.mapsTo(page, PAGE, guest.address() + 5 * PAGE));
    }

    @Test
    void aRegionOfMoreThan2To31PagesKeepsEveryPageApart() throws Exception {
        long pages = (1L << 32) + 1;
        DemandMapPolicy policy = new DemandMapPolicy(source.ioas)
                .addRegion(new GuestRegion(BASE, guest.address(), pages * PAGE, READ_WRITE));
        try (FaultServiceLoop loop = FaultServiceLoop.start(source.queue, policy)) {
            fault(source, loop, BASE, 1);
            assertTrue(source.mock.mapsTo(BASE, PAGE, guest.address()));
            // Both lie outside the mock's aperture: the kernel refuses to map them, so the truth is INVALID.
            fault(source, loop, BASE + (1L << 31) * PAGE, 2);
            fault(source, loop, BASE + (1L << 32) * PAGE, 3);
            FaultStats.Snapshot s = loop.stats();
            assertEquals(1, s.success(), "page 2^32 is not page 0: " + s);
            assertEquals(2, s.invalid(), s.toString());
            assertEquals(0, s.policyErrors(), s.toString());
        }
        assertEquals(2, policy.mapFailures());
        assertTrue(policy.isMapped(BASE));
        assertFalse(policy.isMapped(BASE + (1L << 32) * PAGE));
        assertEquals(PAGE, policy.unmapAll());
    }

    @Test
    void aPinThatFailsPartWayLeavesNothingMapped() throws Exception {
        source.ioas.map(other.address(), PAGE, BASE + 2 * PAGE, READ_WRITE);
        DemandMapPolicy policy = policyOverGuest();
        VfioException e = assertThrows(VfioException.class, () -> policy.pin(IovaRange.ofLength(BASE, 4 * PAGE)));
        assertEquals("EEXIST", e.errnoName(), e.getMessage());
        assertFalse(source.mock.mapsTo(BASE, PAGE, guest.address()), "page 0 was unmapped again");
        assertFalse(source.mock.mapsTo(BASE + PAGE, PAGE, guest.address() + PAGE), "page 1 was unmapped again");
        assertFalse(policy.isMapped(BASE));
        assertTrue(source.mock.mapsTo(BASE + 2 * PAGE, PAGE, other.address()), "the foreign mapping is left alone");
        assertEquals(0, policy.unmapAll());
    }

    @Test
    void anUnmapTheKernelStopsAtAMappingItCutsLeavesThePolicyOwningWhatStaysMapped() throws Exception {
        DemandMapPolicy policy = policyOverGuest();
        policy.pin(IovaRange.ofLength(BASE, 4 * PAGE));
        policy.pin(IovaRange.ofLength(BASE + 4 * PAGE, 4 * PAGE));
        // It cuts the first mapping at its start, where the kernel stops: nothing is unmapped.
        VfioException cut = assertThrows(VfioException.class, () -> source.ioas.unmap(BASE + 2 * PAGE, 6 * PAGE));
        assertEquals("ENOENT", cut.errnoName(), cut.getMessage());
        assertTrue(source.mock.mapsTo(BASE + 4 * PAGE, 4 * PAGE, guest.address() + 4 * PAGE));
        assertTrue(policy.isMapped(BASE + 4 * PAGE), "the policy still owns the mapping the kernel kept");
        assertEquals(8 * PAGE, policy.bytesMapped());
        // It cuts the second at its end: the kernel unmaps the first, then stops.
        cut = assertThrows(VfioException.class, () -> source.ioas.unmap(BASE, 6 * PAGE));
        assertEquals("ENOENT", cut.errnoName(), cut.getMessage());
        assertFalse(source.mock.mapsTo(BASE, PAGE, guest.address()));
        assertTrue(source.mock.mapsTo(BASE + 4 * PAGE, 4 * PAGE, guest.address() + 4 * PAGE));
        assertEquals(List.of(IovaRange.ofLength(BASE + 4 * PAGE, 4 * PAGE)), policy.areas());
        assertEquals(4 * PAGE, policy.bytesMapped());
        assertEquals(4 * PAGE, policy.unmapAll());
        assertFalse(source.mock.mapsTo(BASE + 4 * PAGE, PAGE, guest.address() + 4 * PAGE), "unmapAll left it mapped");
        assertEquals(0, policy.bytesMapped());
    }
}
