package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.UnixConstants;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaMapper;
import io.jvfio.memory.IovaRange;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the policy maps, answers and unmaps, against a mapper that answers as an IOAS does. */
class DemandMapPolicyTest {
    private static final long PAGE = UnixConstants.PAGE_SIZE;
    private static final long BASE = 0x4000_0000L;
    private static final long USER = 0x7f00_0000_0000L;
    private static final long OTHER_USER = 0x7e00_0000_0000L;
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final int READ = FaultConstants.PERM_READ;
    private static final int WRITE = FaultConstants.PERM_WRITE;

    private final FakeMapper mapper = new FakeMapper();
    private final SingleFault single = new SingleFault();

    /** A policy over 16 pages of read-write guest memory at {@link #BASE}. */
    private DemandMapPolicy policy(int window) {
        return new DemandMapPolicy(mapper, window).addRegion(new GuestRegion(BASE, USER, 16 * PAGE, RW));
    }

    private static long page(long n) {
        return BASE + n * PAGE;
    }

    private FaultResponse fault(DemandMapPolicy policy, long iova, int perm) {
        return single.resolve(policy, iova, perm);
    }

    @Test
    void aFaultMapsTheFaultingPageWithTheRegionsAccess() {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3) + 0x10, WRITE));
        assertEquals(new FakeMapper.Mapping(USER + 3 * PAGE, PAGE, RW), mapper.at(page(3)));
        assertEquals(1, mapper.size(), "one page per fault with a window of one");
        assertTrue(policy.isMapped(page(3)));
        assertEquals(1, policy.pagesMapped());
        assertEquals(PAGE, policy.bytesMapped());
        assertEquals(1, policy.mapCalls());
        assertEquals(1, policy.faultsResolved());
    }

    @Test
    void aSecondFaultOnAPageThePolicyMappedIsAnsweredWithoutMappingAgain() {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3) + 8, WRITE), "EEXIST on its own page is a raced fault");
        assertEquals(1, mapper.size());
        assertEquals(1, policy.pagesMapped());
        assertEquals(0, policy.foreignFaults());
        assertEquals(0, policy.mapFailures());
    }

    @Test
    void aPageSomethingElseMappedIsAnsweredInvalidAndLeftAlone() throws Exception {
        mapper.map(OTHER_USER, PAGE, page(5), RW);
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.INVALID, fault(policy, page(5), READ), "the policy cannot vouch for a mapping it did not make");
        assertEquals(1, policy.foreignFaults());
        assertFalse(policy.isMapped(page(5)));
        assertEquals(0, policy.unmapAll(), "nothing of the policy's own was mapped");
        assertEquals(OTHER_USER, mapper.at(page(5)).va(), "the foreign mapping is left alone");
    }

    @Test
    void aMapWindowStopsBeforeAForeignMapping() throws Exception {
        mapper.map(OTHER_USER, PAGE, page(5), RW);
        DemandMapPolicy policy = policy(4);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        assertTrue(policy.isMapped(page(3)) && policy.isMapped(page(4)));
        assertFalse(policy.isMapped(page(5)) || policy.isMapped(page(6)), "the window ends at the foreign page");
        assertNull(mapper.at(page(6)));
        assertEquals(2, policy.pagesMapped());
    }

    @Test
    void aDirectUnmapMakesThePageFaultableAgain() throws Exception {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(2), READ));
        assertEquals(PAGE, mapper.unmap(page(2), PAGE));
        assertFalse(policy.isMapped(page(2)), "the policy heard of the unmap");
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(2), READ));
        assertNotNull(mapper.at(page(2)), "mapped again");
        assertEquals(2, policy.pagesMapped());

        mapper.unmap(page(2), PAGE);
        mapper.map(OTHER_USER, PAGE, page(2), RW);
        assertEquals(FaultResponse.INVALID, fault(policy, page(2), READ),
                "once unmapped, the page is not the policy's: what maps it now is foreign");
        assertEquals(1, policy.foreignFaults());
    }

    @Test
    void aPinThatFailsPartWayLeavesNothingItMapped() {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(1), READ));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        mapper.failAt(page(5), Errno.ENOMEM);
        VfioException e = assertThrows(VfioException.class, () -> policy.pin(new IovaRange(page(1), page(7) - 1)));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(2, mapper.size(), "only the pages faults mapped before the pin are left: the run [2, 3) it mapped was unmapped again");
        assertTrue(policy.isMapped(page(1)) && policy.isMapped(page(3)));
        for (long p : new long[] {2, 4, 5, 6}) {
            assertFalse(policy.isMapped(page(p)), "page " + p);
        }
        assertEquals(2, policy.pagesMapped());
        assertEquals(2 * PAGE, policy.bytesMapped());
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(2), READ), "the failed pin left no pinned range behind");
        assertEquals(0, policy.pinnedFaults());
    }

    @Test
    void aFaultInsideAPinnedRangeIsAnsweredInvalid() throws Exception {
        DemandMapPolicy policy = policy(1);
        policy.pin(new IovaRange(page(8), page(10) - 1));
        assertEquals(new FakeMapper.Mapping(USER + 8 * PAGE, 2 * PAGE, RW), mapper.at(page(8)), "one map call for the run");
        assertEquals(1, mapper.size());
        assertEquals(FaultResponse.INVALID, fault(policy, page(9), READ));
        assertEquals(1, policy.pinnedFaults());
    }

    @Test
    void unmapAllUnmapsEveryPageThePolicyOwnsAndNothingElse() throws Exception {
        DemandMapPolicy policy = policy(1);
        mapper.map(OTHER_USER, PAGE, page(14), RW);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(0), READ));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(7), READ));
        policy.pin(new IovaRange(page(10), page(12) - 1));
        mapper.forget(page(7), PAGE);
        assertEquals(3 * PAGE, policy.unmapAll(), "pages 0, 10 and 11; page 7 was already gone (ENOENT)");
        assertEquals(1, mapper.size());
        assertEquals(OTHER_USER, mapper.at(page(14)).va());
        assertFalse(policy.isMapped(page(0)) || policy.isMapped(page(10)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(10), READ), "the pinned ranges are forgotten");
        assertEquals(0, policy.pinnedFaults());
    }

    @Test
    void closeUnmapsWhatThePolicyOwnsAndLeavesTheMapperWithoutItsListener() throws Exception {
        DemandMapPolicy policy = policy(1);
        assertEquals(1, mapper.listenerCount());
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        policy.close();
        assertEquals(0, mapper.size(), "the page the fault mapped is unmapped");
        assertEquals(0, mapper.listenerCount(), "a mapper that outlives the policy no longer calls it");
        assertEquals(FaultResponse.INVALID, fault(policy, page(4), READ), "a closed policy maps nothing");
        assertEquals(0, mapper.size());
        policy.close();
        assertThrows(IllegalStateException.class, () -> policy.pin(new IovaRange(page(8), page(9) - 1)));
    }

    @Test
    void faultsOutsideTheRegionsOrAskingForMoreThanTheyAllowAreInvalid() {
        DemandMapPolicy policy = new DemandMapPolicy(mapper).addRegion(new GuestRegion(BASE, USER, 4 * PAGE, EnumSet.of(Access.READ)));
        assertEquals(FaultResponse.INVALID, fault(policy, page(1), WRITE));
        assertEquals(FaultResponse.INVALID, fault(policy, page(4), READ));
        assertEquals(FaultResponse.INVALID, fault(policy, page(1), READ | FaultConstants.PERM_PRIV));
        assertEquals(3, policy.outsideFaults());
        assertEquals(0, mapper.size());
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(1), READ));
        assertEquals(Set.of(Access.READ), mapper.at(page(1)).access(), "a read-only region maps read-only");
    }

    @Test
    void pageNumbersBeyondTheIntRangeMapTheirOwnPage() throws Exception {
        long pages = 1L << 33;
        DemandMapPolicy policy = new DemandMapPolicy(mapper).addRegion(new GuestRegion(BASE, USER, pages * PAGE, RW));
        long far = (1L << 32) + 1;
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(far), READ));
        assertEquals(new FakeMapper.Mapping(USER + far * PAGE, PAGE, RW), mapper.at(page(far)));
        assertTrue(policy.isMapped(page(far)));
        assertFalse(policy.isMapped(page(1)), "page 2^32 + 1 is not page 1");
        assertEquals(PAGE, policy.unmapAll());
        assertEquals(0, mapper.size());
    }

    /** A listener that, on each unmap, unmaps {@code [iova, iova + length)} unseen by the policy, then runs {@code then}. */
    private DmaMapper.UnmapListener unmappingUnseen(long iova, long length, Runnable then) {
        return range -> {
            try {
                mapper.forget(iova, length);
            } catch (VfioException e) {
                throw new AssertionError(e);
            }
            then.run();
        };
    }

    /** A policy over 32 pages with a window of 16, after faults that mapped pages 0..15 and 16..31 as two areas. */
    private DemandMapPolicy twoAreasOfSixteenPages() {
        DemandMapPolicy policy = new DemandMapPolicy(mapper)
                .addRegion(new GuestRegion(BASE, USER, 32 * PAGE, RW), FaultAround.of(16 * PAGE));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(20), READ));
        assertEquals(2, mapper.size());
        return policy;
    }

    @Test
    void anUnmapThatCutsAMappingLeavesThePolicyOwningTheAreasTheKernelKept() throws Exception {
        DemandMapPolicy policy = twoAreasOfSixteenPages();
        // The range cuts the first area, where the kernel stops: it unmaps nothing, not even the second.
        VfioException cut = assertThrows(VfioException.class, () -> mapper.unmap(page(8), 24 * PAGE));
        assertEquals(Errno.ENOENT, cut.errno());
        assertEquals(2, mapper.size());
        assertEquals(32 * PAGE, policy.bytesMapped());
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(20), READ), "a page the policy mapped and the kernel kept");
        assertEquals(0, policy.foreignFaults());
        assertEquals(32 * PAGE, policy.unmapAll());
        assertEquals(0, mapper.size(), "unmapAll left a mapping of the policy's pinned");
    }

    @Test
    void aCloseWhoseUnmapFailsKeepsTheAreaAndASecondCloseUnmapsIt() throws Exception {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        mapper.failNextUnmap(Errno.EDEADLK);
        assertEquals(Errno.EDEADLK, assertThrows(VfioException.class, policy::close).errno());
        assertEquals(List.of(IovaRange.ofLength(page(3), PAGE)), policy.areas(), "the area is still mapped");
        assertEquals(PAGE, policy.bytesMapped());
        policy.close();
        assertEquals(0, mapper.size());
        assertEquals(0, policy.bytesMapped());
        assertEquals(0, mapper.listenerCount());
    }

    @Test
    void anUnmapThatCutsAMappingAtItsEndLeavesThePolicyOwningTheAreaTheKernelKept() throws Exception {
        DemandMapPolicy policy = twoAreasOfSixteenPages();
        // The kernel unmaps the first area, wholly inside, then stops at the second, which the range cuts.
        assertEquals(Errno.ENOENT, assertThrows(VfioException.class, () -> mapper.unmap(page(0), 24 * PAGE)).errno());
        assertEquals(1, mapper.size());
        assertEquals(List.of(new IovaRange(page(16), page(32) - 1)), policy.areas());
        assertEquals(16 * PAGE, policy.bytesMapped());
        assertEquals(16 * PAGE, policy.unmapAll());
        assertEquals(0, mapper.size());
        assertEquals(0, policy.bytesMapped());
    }

    @Test
    void aFailedUnmapOfItsOwnDoesNotOwnAgainAnAreaAFaultMappedAfreshMeanwhile() throws Exception {
        DemandMapPolicy policy = twoAreasOfSixteenPages();
        // While unmapAll unmaps the first area, the area goes behind the policy's back and a fault on
        // page 3 maps its window afresh; then that unmap fails.
        DmaMapper.UnmapListener meanwhile = unmappingUnseen(page(0), 16 * PAGE,
                () -> assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ)));
        mapper.addUnmapListener(meanwhile);
        mapper.failNextUnmap(Errno.EDEADLK);
        assertEquals(Errno.EDEADLK, assertThrows(VfioException.class, policy::unmapAll).errno());
        mapper.removeUnmapListener(meanwhile);
        assertEquals(List.of(new IovaRange(page(0), page(16) - 1), new IovaRange(page(16), page(32) - 1)),
                policy.areas(), "the fresh area, and the second, which unmapAll did not reach");
        assertEquals(32 * PAGE, policy.bytesMapped());
        assertEquals(32 * PAGE, policy.unmapAll());
        assertEquals(0, mapper.size());
    }

    @Test
    void aPinWhoseRollbackCannotUnmapKeepsOwningWhatStaysMapped() throws Exception {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(1), READ));
        mapper.failAt(page(2), Errno.ENOMEM);
        mapper.failNextUnmap(Errno.EDEADLK);
        // Runs [0, 1) and [2, 4): the first is mapped, the second fails, and the first's rollback fails too.
        VfioException e = assertThrows(VfioException.class, () -> policy.pin(new IovaRange(page(0), page(4) - 1)));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(Errno.EDEADLK, ((VfioException) e.getSuppressed()[0]).errno());
        assertTrue(policy.isMapped(page(0)), "still mapped, so still the policy's");
        assertEquals(2, policy.pagesMapped());
        assertEquals(2 * PAGE, policy.unmapAll());
        assertEquals(0, mapper.size());
    }

    @Test
    void anUnmapOfItsOwnFailingBusyBecauseAnotherUnmapTookTheAreaDoesNotOwnItAgain() throws Exception {
        DemandMapPolicy policy = policy(1);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3), READ));
        // Another thread's unmap of the page is in flight: the kernel answers this one EBUSY (area->pages is NULL).
        DmaMapper.UnmapListener anotherUnmap = unmappingUnseen(page(3), PAGE, () -> {});
        mapper.addUnmapListener(anotherUnmap);
        mapper.failNextUnmap(Errno.EBUSY);
        assertEquals(Errno.EBUSY, assertThrows(VfioException.class, policy::unmapAll).errno());
        mapper.removeUnmapListener(anotherUnmap);
        assertEquals(List.of(), policy.areas(), "the area is gone, not the policy's to own again");
        mapper.map(OTHER_USER, PAGE, page(3), EnumSet.of(Access.READ)); // someone else's, read-only
        assertEquals(FaultResponse.INVALID, fault(policy, page(3), WRITE), "never vouched for");
        assertEquals(0, policy.unmapAll());
        assertEquals(new FakeMapper.Mapping(OTHER_USER, PAGE, Set.of(Access.READ)), mapper.at(page(3)), "left alone");
    }

    @Test
    void aPinFromAnotherThreadWhileUnmapAllWalksIsMadeAfterTheWalkAndKept() throws Exception {
        DemandMapPolicy policy = policy(1);
        policy.pin(IovaRange.ofLength(page(0), PAGE));
        policy.pin(IovaRange.ofLength(page(8), PAGE));
        Thread[] pinner = new Thread[1];
        Exception[] pinFailure = new Exception[1];
        mapper.addUnmapListener(range -> {
            if (pinner[0] == null) { // in the walk's first unmap, a pin above where it stands
                pinner[0] = new Thread(() -> {
                    try {
                        policy.pin(IovaRange.ofLength(page(12), PAGE));
                    } catch (Exception e) {
                        pinFailure[0] = e;
                    }
                });
                pinner[0].start();
                try {
                    pinner[0].join(2_000); // long enough for a pin that does not wait for the walk
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertEquals(2 * PAGE, policy.unmapAll());
        pinner[0].join();
        assertNull(pinFailure[0]);
        assertTrue(policy.isMapped(page(12)), "the walk unmapped the pin made during it");
        assertNotNull(mapper.at(page(12)));
        assertEquals(FaultResponse.INVALID, fault(policy, page(12), READ), "a fault on the pin is the device's bug");
        assertEquals(1, policy.pinnedFaults(), "the pin is still declared");
    }
}
