package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.UnixConstants;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.Access;
import io.jvfio.memory.IovaRange;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps on demand what faults: a fault inside a registered guest region maps the faulting page (and
 * optionally a few after it) into the IOAS with the region's access, then answers SUCCESS; a fault
 * outside every region, or asking for more than the region allows, is answered INVALID.
 * <p>
 * Selective faulting: ranges declared non-faultable with {@link #pin} are mapped (and so pinned)
 * eagerly before the device runs. A fault inside them is a bug in whoever declared them; it is
 * logged loudly once, counted, and answered INVALID.
 */
public final class DemandMapPolicy implements FaultPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(DemandMapPolicy.class);

    private final IoAddressSpace ioas;
    private final long pageSize;
    private final int window;
    private final List<GuestRegion> regions = new ArrayList<>();
    private final List<BitSet> mapped = new ArrayList<>();
    private final List<IovaRange> pinned = new ArrayList<>();
    private final AtomicLong pagesMapped = new AtomicLong();
    private final AtomicLong pinnedFaults = new AtomicLong();
    private final AtomicLong mapFailures = new AtomicLong();
    private final AtomicLong outsideFaults = new AtomicLong();
    private boolean loggedPinnedFault;

    /** Maps one page per fault. */
    public DemandMapPolicy(IoAddressSpace ioas) {
        this(ioas, 1);
    }

    /** Maps {@code window} pages from the faulting one (prefaulting the ones a DMA is likely to touch next). */
    public DemandMapPolicy(IoAddressSpace ioas, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("the map window is at least one page, not " + window);
        }
        this.ioas = ioas;
        this.window = window;
        this.pageSize = UnixConstants.PAGE_SIZE;
    }

    /** Registers guest memory; its pages are mapped when the device faults on them. */
    public synchronized DemandMapPolicy addRegion(GuestRegion region) {
        if (region.iova() % pageSize != 0 || region.userAddress() % pageSize != 0 || region.length() % pageSize != 0) {
            throw new IllegalArgumentException("guest region " + region + " is not page-aligned");
        }
        for (GuestRegion r : regions) {
            if (r.iovaRange().overlaps(region.iovaRange())) {
                throw new IllegalArgumentException("guest region " + region.iovaRange() + " overlaps " + r.iovaRange());
            }
        }
        regions.add(region);
        mapped.add(new BitSet((int) Math.min(Integer.MAX_VALUE, region.length() / pageSize)));
        return this;
    }

    /** Maps a non-faultable range now (the device must never fault on it) and remembers it. */
    public synchronized void pin(IovaRange range) throws VfioException {
        int r = regionIndex(range.start());
        if (r < 0 || !regions.get(r).contains(range.last())) {
            throw new IllegalArgumentException("pinned range " + range + " is not inside one guest region");
        }
        GuestRegion region = regions.get(r);
        long start = range.start() & -pageSize;
        long end = (range.last() | (pageSize - 1)) + 1;
        for (long page = start; page < end; page += pageSize) {
            int bit = (int) ((page - region.iova()) / pageSize);
            if (!mapped.get(r).get(bit)) {
                ioas.map(region.userAddressOf(page), pageSize, page, region.access());
                mapped.get(r).set(bit);
                pagesMapped.incrementAndGet();
            }
        }
        pinned.add(new IovaRange(start, end - 1));
    }

    private int regionIndex(long address) {
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).contains(address)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public synchronized FaultResponse resolve(FaultGroup group) throws VfioException {
        for (int k = 0; k < group.size(); k++) {
            if (resolveOne(group.addr(k), group.perm(k)) == FaultResponse.INVALID) {
                return FaultResponse.INVALID;
            }
        }
        return FaultResponse.SUCCESS;
    }

    private FaultResponse resolveOne(long address, int perm) throws VfioException {
        int r = regionIndex(address);
        if (r < 0) {
            outsideFaults.incrementAndGet();
            return FaultResponse.INVALID;
        }
        GuestRegion region = regions.get(r);
        if (!allows(region, perm)) {
            outsideFaults.incrementAndGet();
            return FaultResponse.INVALID;
        }
        long page = address & -pageSize;
        for (int p = 0; p < pinned.size(); p++) {
            if (pinned.get(p).contains(page)) {
                pinnedFaults.incrementAndGet();
                if (!loggedPinnedFault) {
                    loggedPinnedFault = true;
                    LOG.error("BUG: the device faulted at 0x{} inside the pinned, non-faultable range {}; answering"
                            + " INVALID (logged once, counted in pinnedFaults())", Long.toHexString(address), pinned.get(p));
                }
                return FaultResponse.INVALID;
            }
        }
        BitSet bits = mapped.get(r);
        int flags = (region.access().contains(Access.READ) ? IommufdConstants.MAP_READABLE : 0)
                | (region.access().contains(Access.WRITE) ? IommufdConstants.MAP_WRITEABLE : 0);
        long end = Math.min(page + window * pageSize, region.iova() + region.length());
        for (long p = page; p < end; p += pageSize) {
            int bit = (int) ((p - region.iova()) / pageSize);
            if (bits.get(bit)) {
                continue;
            }
            long rc = ioas.tryMap(region.userAddressOf(p), pageSize, p, flags);
            if (rc == 0 || rc == -Errno.EEXIST) {
                bits.set(bit);
                pagesMapped.incrementAndGet();
            } else if (p == page) {
                mapFailures.incrementAndGet();
                return FaultResponse.INVALID;
            } else {
                break;
            }
        }
        return FaultResponse.SUCCESS;
    }

    private static boolean allows(GuestRegion region, int perm) {
        if ((perm & FaultConstants.PERM_PRIV) != 0) {
            return false;
        }
        boolean read = (perm & (FaultConstants.PERM_READ | FaultConstants.PERM_EXEC)) != 0;
        boolean write = (perm & FaultConstants.PERM_WRITE) != 0;
        return (!read || region.access().contains(Access.READ)) && (!write || region.access().contains(Access.WRITE));
    }

    /** Unmaps every page this policy mapped (also the pinned ones); returns the bytes unmapped. */
    public synchronized long unmapAll() throws VfioException {
        long total = 0;
        for (int r = 0; r < regions.size(); r++) {
            GuestRegion region = regions.get(r);
            BitSet bits = mapped.get(r);
            for (int bit = bits.nextSetBit(0); bit >= 0; bit = bits.nextSetBit(bit + 1)) {
                total += ioas.unmap(region.iova() + bit * pageSize, pageSize);
            }
            bits.clear();
        }
        pinned.clear();
        return total;
    }

    public long pagesMapped() {
        return pagesMapped.get();
    }

    /** Faults inside pinned ranges: each one is a bug in the declaration of non-faultable memory. */
    public long pinnedFaults() {
        return pinnedFaults.get();
    }

    /** Faults outside every region or asking for more access than the region allows. */
    public long outsideFaults() {
        return outsideFaults.get();
    }

    public long mapFailures() {
        return mapFailures.get();
    }

    /** Whether the page at {@code iova} has been mapped by this policy. */
    public synchronized boolean isMapped(long iova) {
        int r = regionIndex(iova);
        return r >= 0 && mapped.get(r).get((int) ((iova - regions.get(r).iova()) / pageSize));
    }
}
