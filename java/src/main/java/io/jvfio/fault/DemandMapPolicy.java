package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.UnixConstants;
import io.jvfio.memory.DmaMapper;
import io.jvfio.memory.IovaRange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps on demand what faults: a fault inside a registered guest region maps the faulting page (and
 * optionally a few after it) with the region's access through a {@link DmaMapper} (the IOAS under
 * the faulting page table), then answers SUCCESS; a fault outside every region, or asking for more
 * than the region allows, is answered INVALID.
 * <p>
 * Selective faulting: ranges declared non-faultable with {@link #pin} are mapped (and so pinned)
 * eagerly before the device runs. A fault inside them is a bug in whoever declared them; it is
 * logged loudly once, counted, and answered INVALID.
 * <p>
 * Every answer is what the kernel's page table holds:
 * <ul>
 * <li>SUCCESS only when the mapper has just mapped the faulting page for this policy, or
 *     reports it mapped (EEXIST) while the policy owns it (a fault that raced with its mapping).
 *     The policy asks the kernel on every fault instead of trusting its own records, so a page
 *     unmapped behind its back is mapped again, never answered SUCCESS while unmapped.</li>
 * <li>The policy owns the pages it mapped and has not seen unmapped. It hears of every unmap
 *     through the mapper before it happens ({@link DmaMapper.UnmapListener}), so its records
 *     follow direct {@code unmap} calls. A fault on a page at the very moment another thread unmaps
 *     it may be answered INVALID, or leave a page owned but unmapped, which the next fault maps
 *     again and {@link #unmapAll()} skips.</li>
 * <li>A page of a region that something else mapped (EEXIST on a page the policy does not own) is
 *     not the policy's to vouch for: it may map other memory or lack the access asked for. The fault
 *     is answered INVALID and counted in {@link #foreignFaults()}; the mapping is never unmapped by
 *     {@link #unmapAll()}, and a map window stops before it.</li>
 * <li>Pages are numbered with longs: a region may hold any number of pages.</li>
 * <li>{@link #pin} is all or nothing: when one page of the range cannot be mapped (a foreign
 *     mapping, the memlock limit), the pages that call mapped are unmapped again and the error is
 *     thrown; the policy is as it was before the call.</li>
 * </ul>
 * {@link #close()} unmaps what the policy owns and stops it listening to the mapper, which may
 * outlive it (an IOAS that serves one policy after another); faults after it are answered INVALID.
 */
public final class DemandMapPolicy implements FaultPolicy, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemandMapPolicy.class);

    private final DmaMapper mapper;
    private final long pageSize;
    private final int window;
    private final List<GuestRegion> regions = new ArrayList<>();
    /** Per region, the page numbers (from the region's start) this policy mapped and owns. */
    private final List<PageSet> owned = new ArrayList<>();
    private final List<IovaRange> pinned = new ArrayList<>();
    private final AtomicLong pagesMapped = new AtomicLong();
    private final AtomicLong pinnedFaults = new AtomicLong();
    private final AtomicLong foreignFaults = new AtomicLong();
    private final AtomicLong mapFailures = new AtomicLong();
    private final AtomicLong outsideFaults = new AtomicLong();
    private final DmaMapper.UnmapListener unmapListener = this::unmapping;
    private boolean loggedPinnedFault;
    private boolean loggedForeignFault;
    private boolean closed;
    private boolean listening = true;

    /** Maps one page per fault. */
    public DemandMapPolicy(DmaMapper mapper) {
        this(mapper, 1);
    }

    /**
     * Maps {@code window} pages from the faulting one (prefaulting the ones a DMA is likely to touch
     * next). The policy listens to the mapper's unmaps until it is closed.
     */
    public DemandMapPolicy(DmaMapper mapper, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the map window is at least one page, not " + window);
        }
        this.mapper = mapper;
        this.window = window;
        this.pageSize = UnixConstants.PAGE_SIZE;
        mapper.addUnmapListener(unmapListener);
    }

    /** Registers guest memory; its pages are mapped when the device faults on them. */
    public synchronized DemandMapPolicy addRegion(GuestRegion region) {
        refuseClosed("add a region");
        if (region.iova() % pageSize != 0 || region.userAddress() % pageSize != 0 || region.length() % pageSize != 0) {
            throw new IllegalArgumentException("guest region " + region + " is not page-aligned");
        }
        IovaRange range = region.iovaRange();
        for (GuestRegion r : regions) {
            if (r.iovaRange().overlaps(range)) {
                throw new IllegalArgumentException("guest region " + range + " overlaps " + r.iovaRange());
            }
        }
        regions.add(region);
        owned.add(new PageSet());
        return this;
    }

    /**
     * Maps a non-faultable range now (the device must never fault on it) and remembers it; all or
     * nothing (see the class comment).
     */
    public synchronized void pin(IovaRange range) throws VfioException {
        refuseClosed("pin " + range);
        int r = regionIndex(range.start());
        if (r < 0 || !regions.get(r).contains(range.last())) {
            throw new IllegalArgumentException("pinned range " + range + " is not inside one guest region");
        }
        GuestRegion region = regions.get(r);
        PageSet pages = owned.get(r);
        long first = (range.start() - region.iova()) / pageSize;
        long last = (range.last() - region.iova()) / pageSize;
        PageSet mappedNow = new PageSet();
        long count = 0;
        try {
            for (long page = first; page <= last; page++) {
                if (!pages.contains(page)) {
                    long iova = iovaOf(region, page);
                    mapper.map(region.userAddressOf(iova), pageSize, iova, region.access());
                    pages.add(page);
                    mappedNow.add(page);
                    count++;
                }
            }
        } catch (VfioException | RuntimeException e) {
            for (long page = mappedNow.next(0); page >= 0; page = mappedNow.next(page + 1)) {
                try {
                    mapper.unmap(iovaOf(region, page), pageSize);
                } catch (VfioException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        pagesMapped.addAndGet(count);
        pinned.add(new IovaRange(iovaOf(region, first), iovaOf(region, last) + pageSize - 1));
    }

    private long iovaOf(GuestRegion region, long page) {
        return region.iova() + page * pageSize;
    }

    private int regionIndex(long address) {
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).contains(address)) {
                return i;
            }
        }
        return -1;
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
        }
        return FaultResponse.SUCCESS;
    }

    private FaultResponse resolveOne(long address, int perm) {
        int r = regionIndex(address);
        if (r < 0 || !FaultPermissions.allowedBy(perm, regions.get(r).access())) {
            outsideFaults.incrementAndGet();
            return FaultResponse.INVALID;
        }
        GuestRegion region = regions.get(r);
        long iova = address & -pageSize;
        for (int p = 0; p < pinned.size(); p++) {
            if (pinned.get(p).contains(iova)) {
                pinnedFaults.incrementAndGet();
                if (!loggedPinnedFault) {
                    loggedPinnedFault = true;
                    LOG.error("BUG: the device faulted at 0x{} inside the pinned, non-faultable range {}; answering"
                            + " INVALID (logged once, counted in pinnedFaults())", Long.toHexString(address), pinned.get(p));
                }
                return FaultResponse.INVALID;
            }
        }
        PageSet pages = owned.get(r);
        long page = (iova - region.iova()) / pageSize;
        long rc = mapper.tryMap(region.userAddressOf(iova), pageSize, iova, region.access());
        if (rc == 0) {
            pages.add(page);
            pagesMapped.incrementAndGet();
        } else if (rc == -Errno.EEXIST && !pages.contains(page)) {
            foreignFaults.incrementAndGet();
            if (!loggedForeignFault) {
                loggedForeignFault = true;
                LOG.warn("the device faulted at 0x{} in guest region {}, on a page something other than this policy mapped;"
                        + " answering INVALID (logged once, counted in foreignFaults())", Long.toHexString(address), region.iovaRange());
            }
            return FaultResponse.INVALID;
        } else if (rc != -Errno.EEXIST) {
            mapFailures.incrementAndGet();
            return FaultResponse.INVALID;
        }
        long end = Math.min(page + window, region.length() / pageSize);
        for (long next = page + 1; next < end; next++) {
            if (pages.contains(next)) {
                continue;
            }
            long nextIova = iovaOf(region, next);
            if (mapper.tryMap(region.userAddressOf(nextIova), pageSize, nextIova, region.access()) != 0) {
                break;
            }
            pages.add(next);
            pagesMapped.incrementAndGet();
        }
        return FaultResponse.SUCCESS;
    }

    /** Forgets the whole pages of {@code range}: the mapper is about to unmap them. */
    private synchronized void unmapping(IovaRange range) {
        for (int r = 0; r < regions.size(); r++) {
            GuestRegion region = regions.get(r);
            IovaRange own = region.iovaRange();
            if (!own.overlaps(range)) {
                continue;
            }
            long from = Long.compareUnsigned(range.start(), own.start()) > 0 ? range.start() : own.start();
            long to = Long.compareUnsigned(range.last(), own.last()) < 0 ? range.last() : own.last();
            long first = (from - region.iova() + pageSize - 1) / pageSize;
            long last = (to - region.iova() + 1) / pageSize - 1;
            owned.get(r).removeRange(first, last);
        }
    }

    /**
     * Unmaps every page this policy owns (also the pinned ones) and forgets the pinned ranges;
     * returns the bytes unmapped. A page already unmapped where the policy could not see it
     * (ENOENT) counts as done.
     */
    public long unmapAll() throws VfioException {
        // Each unmap runs every listener of the mapper, other policies' too: never under this policy's lock.
        long total = 0;
        for (int r = 0; r < regionCount(); r++) {
            GuestRegion region = regionAt(r);
            for (long page = nextOwned(r, 0); page >= 0; page = nextOwned(r, page + 1)) {
                try {
                    total += mapper.unmap(iovaOf(region, page), pageSize);
                } catch (VfioException e) {
                    if (e.errno() != Errno.ENOENT) {
                        throw e;
                    }
                }
            }
        }
        synchronized (this) {
            pinned.clear();
        }
        return total;
    }

    /**
     * Answers every later fault INVALID, unmaps every page this policy owns ({@link #unmapAll()}),
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

    private synchronized int regionCount() {
        return regions.size();
    }

    private synchronized GuestRegion regionAt(int r) {
        return regions.get(r);
    }

    private synchronized long nextOwned(int r, long from) {
        return owned.get(r).next(from);
    }

    /** Pages this policy has mapped, pinned and on demand (a page unmapped and mapped again counts twice). */
    public long pagesMapped() {
        return pagesMapped.get();
    }

    /** Faults inside pinned ranges: each one is a bug in the declaration of non-faultable memory. */
    public long pinnedFaults() {
        return pinnedFaults.get();
    }

    /** Faults on pages of a region that something other than this policy mapped. */
    public long foreignFaults() {
        return foreignFaults.get();
    }

    /** Faults outside every region or asking for more access than the region allows. */
    public long outsideFaults() {
        return outsideFaults.get();
    }

    public long mapFailures() {
        return mapFailures.get();
    }

    /** Whether this policy owns a mapping of the page at {@code iova}. */
    public synchronized boolean isMapped(long iova) {
        int r = regionIndex(iova);
        return r >= 0 && owned.get(r).contains((iova - regions.get(r).iova()) / pageSize);
    }
}
