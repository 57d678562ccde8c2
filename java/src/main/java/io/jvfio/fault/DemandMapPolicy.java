package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.UnixConstants;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaMapper;
import io.jvfio.memory.IovaRange;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps on demand what faults: a fault inside a registered guest region maps a window around the
 * faulting page with the region's access through a {@link DmaMapper} (the IOAS under the faulting
 * page table), then answers SUCCESS; a fault outside every region, or asking for more than the region
 * allows, is answered INVALID.
 * <p>
 * Fault-around: each region has a window size ({@link FaultAround}, a power of two from one page to
 * 2 MiB; one page unless {@link #addRegion(GuestRegion, FaultAround)} says otherwise). A fault maps
 * the window aligned on its size in IOVA space that holds the faulting page, clipped to the region
 * and so that it never reaches into a pinned range or an area the policy already mapped, with one
 * map call. The kernel maps a single call's physically contiguous run with the largest IOMMU pages
 * that fit (pages.c batch_to_domain calls iommu_map once per run), and never merges two calls: a
 * 2 MiB window becomes one huge IOMMU mapping only when the whole aligned window is mapped in one
 * call and its user address is 2 MiB aligned too (the region's IOVA and user address agree modulo
 * 2 MiB) and backed by a huge page. A window that meets a mapping the policy cannot see (EEXIST) or
 * fails otherwise (ENOMEM near the memlock limit) is halved, keeping the half with the faulting page,
 * down to that page alone; each try is one more map call, counted in {@link #mapCalls()}.
 * <p>
 * Areas: iommufd unmaps only whole mappings (IOMMU_IOAS_UNMAP of a range that cuts one fails with
 * ENOENT), so the policy keeps what it mapped as areas, one per map call, and unmaps them whole. It
 * keeps them per region as bits ({@link OwnedAreas}: a bit per owned page, a bit per area start), so
 * that a fault is decided and its window clipped by bit tests and word scans, without a search or an
 * allocation, however many areas there are.
 * <p>
 * Selective faulting: ranges declared non-faultable with {@link #pin} are mapped (and so pinned)
 * eagerly before the device runs, with one map call per run of pages the policy did not own yet. A
 * fault inside them is a bug in whoever declared them; it is logged loudly once, counted, and
 * answered INVALID.
 * <p>
 * Every answer is what the kernel's page table holds:
 * <ul>
 * <li>SUCCESS only when the mapper has just mapped the faulting page for this policy, or
 *     reports it mapped (EEXIST) while the policy owns it (a fault that raced with its mapping).
 *     The policy asks the kernel on every fault instead of trusting its own records, so a page
 *     unmapped behind its back is mapped again, never answered SUCCESS while unmapped; the area it
 *     was in is then forgotten (the kernel unmapped all of it) and the page alone becomes an area.</li>
 * <li>The policy owns the areas it mapped and has not seen unmapped. It hears of every unmap
 *     through the mapper before it happens ({@link DmaMapper.UnmapListener}) and forgets the areas
 *     the kernel will unmap: iommufd walks the mappings in the range in IOVA order, unmaps each
 *     one wholly inside it and stops at the first it cuts (the unmap fails with ENOENT), so the
 *     policy forgets its areas wholly inside the range up to the first of its own that the range
 *     cuts (a cut at the range's start unmaps nothing). What it cannot see, a mapping of someone
 *     else's cut by the range or an area busy in the kernel, may stop the kernel sooner and leave
 *     later areas mapped but forgotten, pinned until the IOAS is destroyed; so may a VFIO
 *     container, which refuses a range that cuts a mapping at either end before unmapping any,
 *     and a fault-around window mapped during the unmap across the kernel's walk. When an unmap
 *     of its own (of one whole area, by {@link #unmapAll()} or a {@link #pin} rolling back) fails
 *     with EDEADLOCK (an access to the area did not let go), the area is still mapped and the
 *     policy owns it again; any other failure it takes as the area gone or going (EBUSY: another
 *     unmap of it, or a map after one, is in flight; on 7.2 also an area another object holds
 *     locked, which then stays mapped but forgotten). A fault on a page at the very moment another
 *     thread unmaps it may be answered INVALID, or leave an area owned but unmapped, which the
 *     next fault maps again and {@link #unmapAll()} skips.</li>
 * <li>A page of a region that something else mapped (EEXIST on a page the policy does not own) is
 *     not the policy's to vouch for: it may map other memory or lack the access asked for. The fault
 *     is answered INVALID and counted in {@link #foreignFaults()}; the mapping is never unmapped by
 *     {@link #unmapAll()}, and a window shrinks until it leaves it out.</li>
 * <li>Addresses and lengths are longs: a region may hold any number of pages.</li>
 * <li>{@link #pin} is all or nothing: when one run of the range cannot be mapped (a foreign
 *     mapping, the memlock limit), the runs that call mapped are unmapped again and the error is
 *     thrown; the policy is as it was before the call (a run whose unmap fails with EDEADLOCK stays
 *     mapped and owned, for {@link #unmapAll()}; after any other failure it is forgotten, as
 *     above). Like every unmap, those run outside the
 *     policy's lock (an unmap calls every listener of the mapper, other policies' too, which would
 *     otherwise deadlock two policies rolling back at once); a fault on such a page in between is
 *     answered INVALID, as on a page the policy does not own.</li>
 * </ul>
 * {@link #close()} unmaps what the policy owns and stops it listening to the mapper, which may
 * outlive it (an IOAS that serves one policy after another); faults after it are answered INVALID.
 */
public final class DemandMapPolicy implements FaultPolicy, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemandMapPolicy.class);

    /**
     * A registered region, its access as a mask (what a fault tests and maps with: no set lookups per
     * fault), the size of its fault-around window, and the areas the policy owns in it.
     */
    private record Region(GuestRegion guest, int access, long windowBytes, OwnedAreas areas) {}

    private final DmaMapper mapper;
    private final long pageSize;
    private final int pageShift;
    private final long forwardBytes;
    /** In IOVA order, so that their areas are too. */
    private final List<Region> regions = new ArrayList<>();
    private final List<IovaRange> pinned = new ArrayList<>();
    /** Counters, guarded by this policy's lock like everything it records: a fault costs no atomic operation. */
    private long pagesMapped, bytesMapped, mapCalls, faultsResolved, pinnedFaults, foreignFaults, mapFailures, outsideFaults;
    private final DmaMapper.UnmapListener unmapListener = this::unmapping;
    private boolean loggedPinnedFault;
    private boolean loggedForeignFault;
    /**
     * Held by {@link #pin} and {@link #unmapAll} from start to end (not by the fault path): a pin made
     * while unmapAll walked the areas was unmapped by the walk, or forgotten by its end, and the
     * device then faulted where it must not.
     */
    private final Object pinsAndUnmaps = new Object();
    /** The errnos of refused maps logged so far: each once. */
    private final Set<Integer> loggedMapErrnos = new HashSet<>();
    private boolean closed;
    private boolean listening = true;

    /** Maps the faulting page, or the fault-around window of its region. */
    public DemandMapPolicy(DmaMapper mapper) {
        this(mapper, 1);
    }

    /**
     * Maps at least {@code window} pages from the faulting one (prefaulting the ones a DMA is likely
     * to touch next), in the same map call as the region's fault-around window and clipped the same
     * way. The policy listens to the mapper's unmaps until it is closed.
     */
    public DemandMapPolicy(DmaMapper mapper, int window) {
        checkWindow(window);
        this.mapper = mapper;
        this.pageSize = UnixConstants.PAGE_SIZE;
        this.pageShift = Long.numberOfTrailingZeros(pageSize);
        this.forwardBytes = window * pageSize;
        mapper.addUnmapListener(unmapListener);
    }

    /** Refuses a map window of no page: also what {@link FaultServer.Builder#window} checks before opening anything. */
    static int checkWindow(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the map window is at least one page, not " + window);
        }
        return window;
    }

    /** Registers guest memory; a fault maps its faulting page alone. */
    public DemandMapPolicy addRegion(GuestRegion region) {
        return addRegion(region, FaultAround.onePage());
    }

    /** Registers guest memory; a fault maps the aligned window of {@code faultAround} that holds the faulting page. */
    public synchronized DemandMapPolicy addRegion(GuestRegion region, FaultAround faultAround) {
        refuseClosed("add a region");
        if (region.iova() % pageSize != 0 || region.userAddress() % pageSize != 0 || region.length() % pageSize != 0) {
            throw new IllegalArgumentException("guest region " + region + " is not page-aligned");
        }
        IovaRange range = region.iovaRange();
        for (Region r : regions) {
            if (r.guest().iovaRange().overlaps(range)) {
                throw new IllegalArgumentException("guest region " + range + " overlaps " + r.guest().iovaRange());
            }
        }
        int at = 0;
        while (at < regions.size() && Long.compareUnsigned(regions.get(at).guest().iova(), region.iova()) < 0) {
            at++;
        }
        OwnedAreas areas = new OwnedAreas(region.length() >>> pageShift);
        regions.add(at, new Region(region, Access.mask(region.access()), faultAround.bytes(), areas));
        return this;
    }

    /**
     * Maps a non-faultable range now (the device must never fault on it) and remembers it; all or
     * nothing (see the class comment). A pin after faults leaves the areas faulted in before whole
     * (iommufd cannot split a mapping, and unmapping one the device may be using would make pinned
     * pages fault): one that reaches past the pinned range's ends holds pinned pages too, and whoever
     * unmaps that area unmaps them with it. Pin before the device runs where you can.
     */
    public void pin(IovaRange range) throws VfioException {
        synchronized (pinsAndUnmaps) {
            pinNow(range);
        }
    }

    /** The whole pages {@code range} touches: what a pin maps. */
    static IovaRange pagesOf(IovaRange range, long pageSize) {
        return new IovaRange(range.start() & -pageSize, (range.last() & -pageSize) + pageSize - 1);
    }

    private void pinNow(IovaRange range) throws VfioException {
        List<IovaRange> mappedNow = new ArrayList<>();
        Exception failure;
        synchronized (this) {
            refuseClosed("pin " + range);
            Region r = regionOf(range.start());
            if (r == null || !r.guest().contains(range.last())) {
                throw new IllegalArgumentException("pinned range " + range + " is not inside one guest region");
            }
            GuestRegion region = r.guest();
            IovaRange pages = pagesOf(range, pageSize);
            try {
                for (IovaRange run : pages.minus(List.copyOf(ownedAreasIn(pages)))) {
                    long length = run.last() - run.start() + 1;
                    mapCalls++;
                    mapper.map(region.userAddressOf(run.start()), length, run.start(), region.access());
                    mappedNow.add(run);
                    own(r, pageOf(r, run.start()), pageOf(r, run.last()) + 1);
                }
                pinned.add(pages);
                return;
            } catch (VfioException | RuntimeException e) {
                for (IovaRange run : mappedNow) {
                    disown(r, pageOf(r, run.start()));
                }
                failure = e;
            }
        }
        // Each unmap runs every listener of the mapper, other policies' too: never under this policy's lock.
        for (IovaRange run : mappedNow) {
            try {
                mapper.unmap(run.start(), run.last() - run.start() + 1);
            } catch (VfioException | RuntimeException suppressed) {
                if (suppressed instanceof VfioException v && v.errno() == Errno.EDEADLK) {
                    ownAgain(run, true);
                }
                failure.addSuppressed(suppressed);
            }
        }
        if (failure instanceof VfioException e) {
            throw e;
        }
        throw (RuntimeException) failure;
    }

    /** The owned areas that overlap {@code range}, in IOVA order. */
    private List<IovaRange> ownedAreasIn(IovaRange range) {
        List<IovaRange> out = new ArrayList<>();
        for (Region r : regions) {
            IovaRange whole = r.guest().iovaRange();
            if (!whole.overlaps(range)) {
                continue;
            }
            long first = pageOf(r, Long.compareUnsigned(range.start(), whole.start()) > 0 ? range.start() : whole.start());
            long last = pageOf(r, Long.compareUnsigned(range.last(), whole.last()) < 0 ? range.last() : whole.last());
            OwnedAreas areas = r.areas();
            for (long start = areas.owns(first) ? areas.areaStart(first) : areas.nextAreaStart(first);
                    start <= last && start < areas.pages(); start = areas.nextAreaStart(start + 1)) {
                out.add(area(r, start));
            }
        }
        return out;
    }

    /** The page number in {@code r} of the page holding {@code iova}. */
    private long pageOf(Region r, long iova) {
        return (iova - r.guest().iova()) >>> pageShift;
    }

    /** The owned area of {@code r} that starts at page {@code start}, as IOVAs. */
    private IovaRange area(Region r, long start) {
        return IovaRange.ofLength(r.guest().iova() + (start << pageShift), (r.areas().areaEnd(start) - start) << pageShift);
    }

    /** Records pages {@code [start, end)} of {@code r}, just mapped, as one owned area. */
    private void own(Region r, long start, long end) {
        r.areas().add(start, end);
        bytesMapped += (end - start) << pageShift;
        pagesMapped += end - start;
    }

    /** Takes the area starting at page {@code start} out of the records after a rollback; it does not count as mapped. */
    private void disown(Region r, long start) {
        if (r.areas().owns(start) && r.areas().areaStart(start) == start) {
            long pages = r.areas().remove(start);
            bytesMapped -= (pages << pageShift);
            pagesMapped -= pages;
        }
    }

    private Region regionOf(long address) {
        for (int k = 0; k < regions.size(); k++) {
            Region r = regions.get(k);
            if (r.guest().contains(address)) {
                return r;
            }
        }
        return null;
    }

    private void refuseClosed(String what) {
        if (closed) {
            throw new IllegalStateException("cannot " + what + ": the demand-map policy is closed");
        }
    }

    @Override
    public synchronized FaultResponse resolve(FaultGroup group) {
        if (closed) {
            return FaultResponse.INVALID;
        }
        for (int k = 0; k < group.size(); k++) {
            if (resolveOne(group.addr(k), group.perm(k)) == FaultResponse.INVALID) {
                return FaultResponse.INVALID;
            }
            faultsResolved++;
        }
        return FaultResponse.SUCCESS;
    }

    private FaultResponse resolveOne(long address, int perm) {
        Region r = regionOf(address);
        if (r == null || !FaultPermissions.allowedBy(perm, r.access())) {
            outsideFaults++;
            return FaultResponse.INVALID;
        }
        GuestRegion region = r.guest();
        long iova = address & -pageSize;
        for (int p = 0; p < pinned.size(); p++) {
            if (pinned.get(p).contains(iova)) {
                pinnedFaults++;
                if (!loggedPinnedFault) {
                    loggedPinnedFault = true;
                    LOG.error("BUG: the device faulted at 0x{} inside the pinned, non-faultable range {}; answering"
                            + " INVALID (logged once, counted in pinnedFaults())", Long.toHexString(address), pinned.get(p));
                }
                return FaultResponse.INVALID;
            }
        }
        OwnedAreas areas = r.areas();
        long offset = iova - region.iova();
        long page = offset >>> pageShift;
        if (areas.owns(page)) {
            return refault(r, page);
        }
        // The window, as offsets into the region, clipped at the region's ends, owned areas and pinned ranges;
        // its end is reckoned from the faulting page, which cannot overflow in a region ending near 2^63.
        long intoWindow = iova & (r.windowBytes() - 1);
        long lo = Math.max(0, offset - intoWindow);
        long hi = offset + Math.min(region.length() - offset, Math.max(r.windowBytes() - intoWindow, forwardBytes));
        lo = Math.max(lo, areas.lastOwned(lo >>> pageShift, page) + 1 << pageShift);
        hi = Math.min(hi, areas.firstOwned(page + 1, hi >>> pageShift) << pageShift);
        for (IovaRange p : pinned) {
            if (region.contains(p.start())) {
                long pinStart = p.start() - region.iova();
                if (pinStart > offset) {
                    hi = Math.min(hi, pinStart);
                } else {
                    lo = Math.max(lo, p.last() - region.iova() + 1);
                }
            }
        }
        long rc;
        while (true) {
            mapCalls++;
            rc = mapper.tryMap(region.userAddress() + lo, hi - lo, region.iova() + lo, r.access());
            if (rc == 0) {
                own(r, lo >>> pageShift, hi >>> pageShift);
                return FaultResponse.SUCCESS;
            }
            if (hi - lo == pageSize) {
                break;
            }
            long mid = lo + (hi - lo) / pageSize / 2 * pageSize;
            if (offset < mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        if (rc == -Errno.EEXIST) {
            foreignFaults++;
            if (!loggedForeignFault) {
                loggedForeignFault = true;
                LOG.warn("the device faulted at 0x{} in guest region {}, on a page something other than this policy mapped;"
                        + " answering INVALID (logged once, counted in foreignFaults())", Long.toHexString(address), region.iovaRange());
            }
        } else {
            mapFailed(address, region, rc);
        }
        return FaultResponse.INVALID;
    }

    /**
     * Counts a map the kernel refused, and logs it once per errno: a memlock limit reached or an IOVA
     * the IOMMU cannot map otherwise only shows as INVALID answers and a count.
     */
    private void mapFailed(long address, GuestRegion region, long rc) {
        mapFailures++;
        int errno = (int) -rc;
        if (loggedMapErrnos.add(errno)) {
            // ENOMEM gets Errors' own hint (the memlock limit), for a map operation.
            String hint = errno == Errno.EFAULT ? "the guest memory's user address is not mapped in this process (closed?)"
                    : errno == Errno.ENOENT || errno == Errno.ENOSPC || errno == Errno.EINVAL
                    ? "the IOVA may be outside the ranges the IOMMU maps, or not aligned to its page size" : null;
            LOG.warn("the fault at 0x{} in guest region {} could not be mapped; answering INVALID (logged once per errno,"
                    + " counted in mapFailures()): {}", Long.toHexString(address), region.iovaRange(),
                    Errors.failure(mapper.mapOperation(), String.format("%s, iova 0x%x", mapper, address & -pageSize), errno,
                            hint).getMessage());
        }
    }

    /** A fault on a page of an owned area: a raced fault, or an area unmapped where the policy could not see. */
    private FaultResponse refault(Region r, long page) {
        GuestRegion region = r.guest();
        long iova = region.iova() + (page << pageShift);
        mapCalls++;
        long rc = mapper.tryMap(region.userAddressOf(iova), pageSize, iova, r.access());
        if (rc == -Errno.EEXIST) {
            return FaultResponse.SUCCESS;
        }
        if (rc != 0) {
            mapFailed(iova, region, rc);
            return FaultResponse.INVALID;
        }
        bytesMapped -= (r.areas().remove(r.areas().areaStart(page)) << pageShift);
        own(r, page, page + 1);
        return FaultResponse.SUCCESS;
    }

    /**
     * Forgets the areas the mapper is about to unmap: those wholly inside {@code range}, in IOVA
     * order up to the first the range cuts, where the kernel stops (iopt_unmap_iova_range).
     */
    private synchronized void unmapping(IovaRange range) {
        for (IovaRange area : ownedAreasIn(range)) {
            if (!range.contains(area.start(), area.last() - area.start() + 1)) {
                return;
            }
            Region r = regionOf(area.start());
            bytesMapped -= (r.areas().remove(pageOf(r, area.start())) << pageShift);
        }
    }

    /**
     * Owns again {@code area}, which an unmap of exactly it failed to unmap (EDEADLOCK: it is still
     * mapped), unless a fault has mapped one of its pages since (then the area was gone after all);
     * {@code recount}: a rolled-back run, taken out of {@link #pagesMapped()} too.
     */
    private synchronized void ownAgain(IovaRange area, boolean recount) {
        Region r = regionOf(area.start());
        long start = pageOf(r, area.start());
        long end = pageOf(r, area.last()) + 1;
        if (r.areas().firstOwned(start, end) == end) {
            r.areas().add(start, end);
            bytesMapped += (end - start) << pageShift;
            pagesMapped += recount ? end - start : 0;
        }
    }

    /**
     * Unmaps every area this policy owns (also the pinned ones), each with one unmap call, and
     * forgets the pinned ranges; returns the bytes unmapped. An area already unmapped where the
     * policy could not see it (ENOENT) counts as done. Any other failure is thrown: after EDEADLOCK
     * the area is owned again (still mapped), after any other it is forgotten.
     */
    public long unmapAll() throws VfioException {
        synchronized (pinsAndUnmaps) {
            return unmapAllNow();
        }
    }

    private long unmapAllNow() throws VfioException {
        // Each unmap runs every listener of the mapper, other policies' too: never under this policy's lock.
        long total = 0;
        for (IovaRange area = nextArea(0); area != null; area = area.last() == -1 ? null : nextArea(area.last() + 1)) {
            try {
                total += mapper.unmap(area.start(), area.last() - area.start() + 1);
            } catch (VfioException e) {
                if (e.errno() == Errno.EDEADLK) {
                    ownAgain(area, false);
                }
                if (e.errno() != Errno.ENOENT) {
                    throw e;
                }
            }
        }
        synchronized (this) {
            pinned.clear();
        }
        return total;
    }

    /** The first owned area at or above {@code from}, or null. */
    private synchronized IovaRange nextArea(long from) {
        for (Region r : regions) {
            GuestRegion region = r.guest();
            if (Long.compareUnsigned(region.iovaRange().last(), from) < 0) {
                continue;
            }
            long first = Long.compareUnsigned(from, region.iova()) <= 0 ? 0 : (from - region.iova() + pageSize - 1) >>> pageShift;
            long start = r.areas().nextAreaStart(first);
            if (start < r.areas().pages()) {
                return area(r, start);
            }
        }
        return null;
    }

    /**
     * Answers every later fault INVALID, unmaps every area this policy owns ({@link #unmapAll()}),
     * then stops listening to the mapper; idempotent. When an unmap fails, the failure is thrown and
     * the policy keeps listening, so its records stay true and close can be called again.
     */
    @Override
    public void close() throws VfioException {
        synchronized (this) {
            closed = true;
            if (!listening) {
                return;
            }
        }
        unmapAll();
        mapper.removeUnmapListener(unmapListener);
        synchronized (this) {
            listening = false;
        }
    }

    /** Pages this policy has mapped, pinned and on demand (a page unmapped and mapped again counts twice). */
    public synchronized long pagesMapped() {
        return pagesMapped;
    }

    /** Bytes this policy owns mapped now: the sum of its areas. */
    public synchronized long bytesMapped() {
        return bytesMapped;
    }

    /** Map calls (IOMMU_IOAS_MAP ioctls) this policy issued, for faults and pins, failed ones too. */
    public synchronized long mapCalls() {
        return mapCalls;
    }

    /** Fault records whose page this policy mapped or found mapped as its own (their group is INVALID if another record is not). */
    public synchronized long faultsResolved() {
        return faultsResolved;
    }

    /**
     * The ranges declared non-faultable ({@link #pin}, whole pages), in the order pinned: a fault there
     * is answered INVALID as the device's bug, also where someone unmapped the range since (a fault
     * does not map it back); {@link #unmapAll()} forgets them.
     */
    public synchronized List<IovaRange> pinned() {
        return List.copyOf(pinned);
    }

    /** Faults inside pinned ranges: each one is a bug in the declaration of non-faultable memory. */
    public synchronized long pinnedFaults() {
        return pinnedFaults;
    }

    /** Faults on pages of a region that something other than this policy mapped. */
    public synchronized long foreignFaults() {
        return foreignFaults;
    }

    /** Faults outside every region or asking for more access than the region allows. */
    public synchronized long outsideFaults() {
        return outsideFaults;
    }

    /** Faults answered INVALID because the faulting page could not be mapped (other than EEXIST). */
    public synchronized long mapFailures() {
        return mapFailures;
    }

    /** Whether this policy owns a mapping of the page at {@code iova}. */
    public synchronized boolean isMapped(long iova) {
        Region r = regionOf(iova);
        return r != null && r.areas().owns(pageOf(r, iova));
    }

    /** The areas this policy owns, one per map call that made them, in IOVA order. */
    public synchronized List<IovaRange> areas() {
        List<IovaRange> out = new ArrayList<>();
        for (IovaRange area = nextArea(0); area != null; area = area.last() == -1 ? null : nextArea(area.last() + 1)) {
            out.add(area);
        }
        return out;
    }
}
