package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.UnixConstants;
import io.jvfio.memory.Access;
import io.jvfio.memory.IovaRange;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The aligned window a fault maps, where it is clipped, and that it is mapped and unmapped in one call. */
class DemandMapPolicyFaultAroundTest {
    private static final long PAGE = UnixConstants.PAGE_SIZE;
    /** 1 GiB and 0x7f00_0000_0000: both 2 MiB aligned, so IOVA and user address agree modulo every window. */
    private static final long BASE = 0x4000_0000L;
    private static final long USER = 0x7f00_0000_0000L;
    private static final long OTHER_USER = 0x7e00_0000_0000L;
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final int READ = FaultConstants.PERM_READ;
    /** A window of 16 pages (64 KiB with 4 KiB pages). */
    private static final FaultAround SIXTEEN = FaultAround.of(16 * PAGE);

    private final FakeMapper mapper = new FakeMapper();
    private final SingleFault single = new SingleFault();

    private static long page(long n) {
        return BASE + n * PAGE;
    }

    private static IovaRange pages(long first, long end) {
        return new IovaRange(page(first), page(end) - 1);
    }

    /** A policy over {@code count} pages at {@link #BASE} with a window of 16 pages. */
    private DemandMapPolicy policy(long count) {
        return new DemandMapPolicy(mapper).addRegion(new GuestRegion(BASE, USER, count * PAGE, RW), SIXTEEN);
    }

    private FaultResponse fault(DemandMapPolicy policy, long iova) {
        return single.resolve(policy, iova, READ);
    }

    @Test
    void aFaultMapsTheAlignedWindowAroundItsPageWithOneMapCall() {
        DemandMapPolicy policy = policy(64);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(21) + 0x10));
        assertEquals(new FakeMapper.Mapping(USER + 16 * PAGE, 16 * PAGE, RW), mapper.at(page(16)));
        assertEquals(1, mapper.size());
        assertEquals(List.of(pages(16, 32)), policy.areas());
        assertEquals(1, policy.mapCalls());
        assertEquals(16, policy.pagesMapped());
        assertEquals(16 * PAGE, policy.bytesMapped());
        assertEquals(1, policy.faultsResolved());
        assertTrue(policy.isMapped(page(16)) && policy.isMapped(page(31)));
        assertFalse(policy.isMapped(page(15)) || policy.isMapped(page(32)));
    }

    @Test
    void aDeviceTouchingEveryPageInOrderFaultsOncePerWindow() {
        DemandMapPolicy policy = policy(64);
        long faults = 0;
        for (long p = 0; p < 64; p++) {
            if (!policy.isMapped(page(p))) { // a device faults only where nothing is mapped
                assertEquals(FaultResponse.SUCCESS, fault(policy, page(p)));
                faults++;
            }
        }
        assertEquals(4, faults);
        assertEquals(4, policy.mapCalls());
        assertEquals(4, mapper.mapCalls());
        assertEquals(List.of(pages(0, 16), pages(16, 32), pages(32, 48), pages(48, 64)), policy.areas());
        assertEquals(64 * PAGE, policy.bytesMapped());
    }

    @Test
    void aSecondFaultInsideAnAreaAsksTheKernelOnceAndMapsNothing() {
        DemandMapPolicy policy = policy(64);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(9)), "EEXIST on an owned area: a raced fault");
        assertEquals(2, policy.mapCalls());
        assertEquals(List.of(pages(0, 16)), policy.areas());
        assertEquals(16, policy.pagesMapped());
    }

    @Test
    void aWindowOfTwoMebibytesIsOneMapCallAlignedInIovaAndUserAddress() {
        long mib = 1L << 20;
        DemandMapPolicy policy = new DemandMapPolicy(mapper)
                .addRegion(new GuestRegion(BASE, USER, 8 * mib, RW), FaultAround.of(2 * mib));
        assertEquals(FaultResponse.SUCCESS, fault(policy, BASE + 5 * mib + 0x123));
        assertEquals(new FakeMapper.Mapping(USER + 4 * mib, 2 * mib, RW), mapper.at(BASE + 4 * mib),
                "the whole 2 MiB-aligned window in one call: what lets iommufd use a 2 MiB IOMMU page");
        assertEquals(1, mapper.mapCalls());
    }

    @Test
    void theWindowIsClippedAtTheRegionsEnds() {
        DemandMapPolicy policy = new DemandMapPolicy(mapper).addRegion(new GuestRegion(page(4), USER, 20 * PAGE, RW), SIXTEEN);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(5)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(23)));
        assertEquals(List.of(pages(4, 16), pages(16, 24)), policy.areas(), "windows [0, 16) and [16, 32) cut to the region [4, 24)");
        assertEquals(new FakeMapper.Mapping(USER, 12 * PAGE, RW), mapper.at(page(4)), "the region's first page is its user address");
        assertEquals(2, mapper.mapCalls());
    }

    @Test
    void theWindowIsClippedAtTheEndOfARegionEndingNearTwoToTheSixtyThird() {
        long length = Long.MAX_VALUE & -PAGE;
        long lastPage = length - PAGE;
        DemandMapPolicy policy = new DemandMapPolicy(mapper, 2)
                .addRegion(new GuestRegion(0, 0, length, RW), FaultAround.of(FaultAround.MAX_BYTES));
        assertEquals(FaultResponse.SUCCESS, fault(policy, lastPage));
        long windowStart = lastPage & -FaultAround.MAX_BYTES;
        assertEquals(new FakeMapper.Mapping(windowStart, length - windowStart, RW), mapper.at(windowStart),
                "the 2 MiB window up to the region's last page, and not a byte past it");
        assertEquals(List.of(new IovaRange(windowStart, length - 1)), policy.areas());
    }

    @Test
    void theWindowIsClippedAtAPinnedRange() throws Exception {
        DemandMapPolicy policy = policy(32);
        policy.pin(pages(6, 8));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(2)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(12)));
        assertEquals(List.of(pages(0, 6), pages(6, 8), pages(8, 16)), policy.areas());
        assertEquals(3, policy.mapCalls(), "the pin and one call per fault");
        assertEquals(FaultResponse.INVALID, fault(policy, page(7)));
        assertEquals(1, policy.pinnedFaults());
    }

    @Test
    void theWindowIsClippedAtAPinnedRangeEvenWhenItWasUnmapped() throws Exception {
        DemandMapPolicy policy = policy(32);
        policy.pin(pages(6, 8));
        mapper.unmap(page(6), 2 * PAGE);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(9)));
        assertEquals(List.of(pages(8, 16)), policy.areas(), "a non-faultable range is never mapped by a fault");
    }

    @Test
    void theWindowIsClippedAtAreasThePolicyOwns() throws Exception {
        DemandMapPolicy policy = policy(32);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3)));
        mapper.forget(page(0), 16 * PAGE);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(5)), "unmapped behind the policy's back: mapped again");
        assertEquals(List.of(pages(5, 6)), policy.areas(), "the area the kernel lost is forgotten; the page alone is mapped");
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(2)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(9)));
        assertEquals(List.of(pages(0, 5), pages(5, 6), pages(6, 16)), policy.areas());
        assertEquals(16 * PAGE, policy.bytesMapped());
    }

    @Test
    void aPinMapsOnlyTheRunsThePolicyDoesNotOwnYetOneCallEach() throws Exception {
        DemandMapPolicy policy = policy(64);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(40)));
        policy.pin(pages(12, 36));
        assertEquals(List.of(pages(0, 16), pages(16, 32), pages(32, 48)), policy.areas(),
                "the windows faulted in before stay whole; the pin maps what lies between, in one call");
        assertEquals(3, policy.mapCalls());
        assertEquals(FaultResponse.INVALID, fault(policy, page(13)), "pinned, though mapped by a fault first");
    }

    @Test
    void aWindowThatMeetsAForeignMappingIsHalvedUntilItLeavesItOut() throws Exception {
        mapper.map(OTHER_USER, PAGE, page(5), RW);
        DemandMapPolicy policy = policy(16);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(2)));
        assertEquals(List.of(pages(0, 4)), policy.areas(), "[0, 16) and [0, 8) hold page 5; [0, 4) does not");
        assertEquals(3, policy.mapCalls());
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(12)));
        assertEquals(List.of(pages(0, 4), pages(10, 16)), policy.areas(), "[4, 16), [10, 16)");
        assertEquals(FaultResponse.INVALID, fault(policy, page(5)));
        assertEquals(1, policy.foreignFaults());
        assertEquals(10 * PAGE, policy.unmapAll());
        assertEquals(OTHER_USER, mapper.at(page(5)).va(), "the foreign mapping is left alone");
        assertEquals(1, mapper.size());
    }

    @Test
    void aWindowThatCannotBeMappedWholeMapsTheHalfWithTheFaultingPage() {
        DemandMapPolicy policy = policy(16);
        mapper.failAt(page(12), Errno.ENOMEM);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(1)));
        assertEquals(List.of(pages(0, 8)), policy.areas());
        assertEquals(0, policy.mapFailures());
        assertEquals(FaultResponse.INVALID, fault(policy, page(12)), "the faulting page itself cannot be mapped");
        assertEquals(1, policy.mapFailures());
    }

    @Test
    void unmapAllUnmapsEachAreaWholeWithOneCall() throws Exception {
        DemandMapPolicy policy = policy(64);
        mapper.map(OTHER_USER, PAGE, page(60), RW);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(40)));
        policy.pin(pages(20, 22));
        assertEquals(34 * PAGE, policy.unmapAll(), "the fake refuses (ENOENT) an unmap that cuts a mapping");
        assertEquals(List.of(), policy.areas());
        assertEquals(0, policy.bytesMapped());
        assertEquals(1, mapper.size());
        assertEquals(OTHER_USER, mapper.at(page(60)).va());
    }

    @Test
    void aDirectUnmapForgetsTheAreasItCoversAndNotOneItCuts() throws Exception {
        DemandMapPolicy policy = policy(64);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(3)));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(20)));
        VfioException cut = assertThrows(VfioException.class, () -> mapper.unmap(page(4), PAGE));
        assertEquals(Errno.ENOENT, cut.errno());
        assertEquals(List.of(pages(0, 16), pages(16, 32)), policy.areas(), "the kernel unmapped nothing; the policy forgot nothing");
        assertEquals(16 * PAGE, mapper.unmap(page(0), 16 * PAGE));
        assertEquals(List.of(pages(16, 32)), policy.areas());
        assertEquals(16 * PAGE, policy.bytesMapped());
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(7)), "faultable again");
        assertEquals(List.of(pages(0, 16), pages(16, 32)), policy.areas());
    }

    @Test
    void theMapWindowOfTheOlderConstructorIsMappedWithTheFaultAroundWindowInOneCall() {
        DemandMapPolicy policy = new DemandMapPolicy(mapper, 4).addRegion(new GuestRegion(BASE, USER, 64 * PAGE, RW), SIXTEEN);
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(14)));
        assertEquals(List.of(pages(0, 18)), policy.areas(), "the aligned window [0, 16) and pages 14 to 17");
        assertEquals(1, policy.mapCalls());
    }

    @Test
    void theDefaultIsTheFaultingPageAlone() {
        DemandMapPolicy policy = new DemandMapPolicy(mapper).addRegion(new GuestRegion(BASE, USER, 64 * PAGE, RW));
        assertEquals(FaultResponse.SUCCESS, fault(policy, page(21)));
        assertEquals(List.of(pages(21, 22)), policy.areas());
        assertEquals(PAGE, FaultAround.onePage().bytes());
    }

    @Test
    void windowsThatAreNotAPowerOfTwoFromAPageTo2MiBAreRefused() {
        String bounds = "the fault-around window is a power of two from " + PAGE + " (the page size) to 2097152 (2 MiB) bytes, not ";
        for (long bad : new long[] {0, -PAGE, PAGE / 2, 3 * PAGE, 4L << 20}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultAround.of(bad));
            assertEquals(bounds + bad, e.getMessage());
        }
        assertEquals(2L << 20, FaultAround.of(2L << 20).bytes());
    }
}
