package io.jvfio.iommufd;

import io.jvfio.KernelFeature;
import io.jvfio.VfioException;
import io.jvfio.internal.BufferLeases;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.InfoBuffer;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.IommufdNative;
import io.jvfio.internal.KernelSupport;
import io.jvfio.internal.MappingChecks;
import io.jvfio.internal.UnmapListeners;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.DmaMapper;
import io.jvfio.memory.IovaRange;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.IntToLongFunction;

/**
 * An iommufd I/O address space (IOAS): the IOVA-to-memory mappings that devices and HW page tables
 * attached to it see. {@link #close()} destroys it (EBUSY while something is attached), and with it
 * its mappings. After that every operation fails with ENOENT and {@link #tryMap} returns -ENOENT,
 * without asking the kernel: the context may have given the id to a new IOAS, which an operation on
 * the old one must not touch. After its iommufd is closed they fail with EBADF. Closing it while
 * another thread is inside one of its operations is the caller's race to avoid.
 */
public final class IoAddressSpace implements DmaMapper, AutoCloseable {
    private final Iommufd iommufd;
    private final int id;
    private final String description;
    private final UnmapListeners unmapListeners = new UnmapListeners();
    private volatile boolean destroyed;
    /**
     * The DmaBuffers mapped here by {@link #map(DmaBuffer, long, Set)} or {@link #map(DmaBuffer, Set)}
     * (or copied here), kept from giving their addresses to a later mmap until unmapped: an IOAS pins a
     * mapping's pages only when the first device or HW page table takes it.
     */
    private final BufferLeases bufferLeases = new BufferLeases();

    /** What {@link Iommufd#tryCall} returns here once the iommufd is closed: no ioctl returns it. */
    private static final long CLOSED_MEANWHILE = Long.MIN_VALUE;

    private IoAddressSpace(Iommufd iommufd, int id) {
        this.iommufd = iommufd;
        this.id = id;
        this.description = "ioas " + id;
    }

    public static IoAddressSpace allocate(Iommufd iommufd) throws VfioException {
        int id = Errors.check((int) iommufd.call("IOMMU_IOAS_ALLOC", IommufdNative::ioasAlloc), "IOMMU_IOAS_ALLOC",
                iommufd.toString());
        return new IoAddressSpace(iommufd, id);
    }

    public int id() {
        return id;
    }

    public Iommufd iommufd() {
        return iommufd;
    }

    /** False once closed (or its iommufd is): its id may name another IOAS by then. */
    public boolean isOpen() {
        return !destroyed && iommufd.isOpen();
    }

    private static int flags(Set<Access> access) {
        return flags(Access.mask(access));
    }

    private static int flags(int accessMask) {
        Access.checkMask(accessMask);
        return ((accessMask & Access.READ.bit()) != 0 ? IommufdConstants.MAP_READABLE : 0)
                | ((accessMask & Access.WRITE.bit()) != 0 ? IommufdConstants.MAP_WRITEABLE : 0);
    }

    /**
     * Refuses {@code operation} once this IOAS is destroyed (ENOENT: its id may name another IOAS by
     * now) or its iommufd is closed (EBADF).
     */
    private void checkOpen(String operation) throws VfioException {
        if (destroyed) {
            throw VfioException.of(operation, description, Errno.ENOENT, "the IOAS is closed (destroyed, and its"
                    + " mappings with it); its id may name another IOAS by now");
        }
        if (!iommufd.isOpen()) {
            throw VfioException.of(operation, description, Errno.EBADF, "its " + iommufd + " is closed");
        }
    }

    /**
     * {@code ioctl} on the iommufd for {@code operation} of this IOAS, refused as {@link #checkOpen},
     * also when the iommufd closes between the check and the call.
     */
    private long call(String operation, IntToLongFunction ioctl) throws VfioException {
        checkOpen(operation);
        long r = iommufd.tryCall(ioctl, CLOSED_MEANWHILE);
        if (r == CLOSED_MEANWHILE) {
            checkOpen(operation); // throws: EBADF now
        }
        return r;
    }

    @Override
    public void map(long va, long length, long iova, Set<Access> access) throws VfioException {
        MappingChecks.check("IOMMU_IOAS_MAP", () -> mapObject(iova, length), iova, length, true, Access.mask(access));
        int flags = flags(access) | IommufdConstants.MAP_FIXED_IOVA;
        int r = (int) call("IOMMU_IOAS_MAP", f -> IommufdNative.ioasMap(f, id, flags, va, length, iova, 0));
        if (r < 0) {
            throw Errors.failure("IOMMU_IOAS_MAP", mapObject(iova, length), -r, mapHint(-r));
        }
    }

    private String mapObject(long iova, long length) {
        return String.format("%s, iova 0x%x, length 0x%x", description, iova, length);
    }

    @Override
    public long tryMap(long va, long length, long iova, Set<Access> access) {
        return tryMap(va, length, iova, Access.mask(access));
    }

    @Override
    public long tryMap(long va, long length, long iova, int accessMask) {
        int flags = flags(accessMask) | IommufdConstants.MAP_FIXED_IOVA;
        if (destroyed) {
            return -Errno.ENOENT;
        }
        int fd = iommufd.tryAcquire(); // the fault path: no lambda, and errnos rather than exceptions
        if (fd < 0) {
            return -Errno.EBADF;
        }
        try {
            return IommufdNative.ioasMap(fd, id, flags, va, length, iova, 0);
        } finally {
            iommufd.release();
        }
    }

    /**
     * Maps all of {@code buffer} at {@code iova}; until it is unmapped, a close of the buffer leaves its
     * addresses reserved (see {@link #bufferLeases}).
     */
    @Override
    public void map(DmaBuffer buffer, long iova, Set<Access> access) throws VfioException {
        synchronized (buffer) { // as DmaMapper.map(DmaBuffer, ...): no close between the address and the pin
            map(buffer.address(), buffer.size(), iova, access);
            bufferLeases.add(buffer, iova);
        }
    }

    /** Maps at an IOVA the kernel chooses and returns it (an unsigned 64-bit IOVA). */
    public long map(DmaBuffer buffer, Set<Access> access) throws VfioException {
        MappingChecks.check("IOMMU_IOAS_MAP", () -> chosenIovaObject(buffer), 0, buffer.size(), false, Access.mask(access));
        InfoBuffer out = new InfoBuffer(8);
        int flags = flags(access);
        synchronized (buffer) { // as DmaMapper.map(DmaBuffer, ...): no close between the address and the pin
            long va = buffer.address();
            int r = (int) call("IOMMU_IOAS_MAP", f -> IommufdNative.ioasMap(f, id, flags, va, buffer.size(), 0, out.address()));
            if (r < 0) {
                throw Errors.failure("IOMMU_IOAS_MAP", chosenIovaObject(buffer), -r, mapHint(-r));
            }
            long iova = out.getLong(0);
            bufferLeases.add(buffer, iova);
            return iova;
        }
    }

    private String chosenIovaObject(DmaBuffer buffer) {
        return String.format("%s, kernel-chosen iova, length 0x%x", description, buffer.size());
    }

    /**
     * IOMMU_IOAS_MAP_FILE (Linux 6.13+, {@link KernelFeature#IOAS_MAP_FILE}): maps {@code length} bytes
     * of the memfd behind {@code file} from byte {@code offset} at {@code iova}. The kernel pins the
     * file's pages, not a user address range, so the mapping does not depend on {@code file}'s own
     * mmap. Unmap it with {@link #unmap} (the unmap listeners hear of it) before closing {@code file}.
     */
    public void mapFile(DmaBuffer file, long offset, long length, long iova, Set<Access> access) throws VfioException {
        mapFile(file, offset, length, iova, access, true, String.format("iova 0x%x", iova));
    }

    /** {@link #mapFile(DmaBuffer, long, long, long, Set)} at an IOVA the kernel chooses; returns it (unsigned). */
    public long mapFile(DmaBuffer file, long offset, long length, Set<Access> access) throws VfioException {
        return mapFile(file, offset, length, 0, access, false, "kernel-chosen iova");
    }

    private long mapFile(DmaBuffer file, long offset, long length, long iova, Set<Access> access, boolean fixedIova,
            String where) throws VfioException {
        MappingChecks.check("IOMMU_IOAS_MAP_FILE", () -> String.format("%s, %s, %s", description, file, where), iova, length,
                fixedIova, Access.mask(access));
        int flags = flags(access) | (fixedIova ? IommufdConstants.MAP_FIXED_IOVA : 0);
        if (offset < 0) {
            throw new IllegalArgumentException(String.format("IOMMU_IOAS_MAP_FILE(%s, %s, %s): the file offset must not be"
                    + " negative, not %d", description, file, where, offset));
        }
        InfoBuffer out = new InfoBuffer(8);
        int fileFd;
        int r;
        // DmaBuffer.close holds the buffer's lock: under it, the memfd number cannot be closed and given
        // to another file (whose pages the map would pin) before the kernel has taken the file.
        synchronized (file) {
            fileFd = file.memfd();
            if (fileFd < 0) {
                throw new IllegalArgumentException(file + " is anonymous memory, with no file to map: create it with"
                        + " DmaBuffer.memfd, or map its address with map()");
            }
            r = (int) call("IOMMU_IOAS_MAP_FILE", f -> IommufdNative.ioasMapFile(f, id, flags, fileFd, offset, length, iova,
                    out.address()));
        }
        if (r < 0) {
            String object = String.format("%s, %s (fd %d), offset 0x%x, %s, length 0x%x", description, file, fileFd, offset,
                    where, length);
            throw KernelSupport.failure("IOMMU_IOAS_MAP_FILE", object, -r, mapHint(-r),
                    KernelFeature.IOAS_MAP_FILE);
        }
        return out.getLong(0);
    }

    private static String mapHint(int errno) {
        if (errno == Errno.EEXIST) {
            return "the IOVA range overlaps an existing mapping; unmap it first";
        }
        if (errno == Errno.EINVAL) {
            return "user address (or file offset), length and IOVA must be aligned to iovaAlignment(), and the IOVA range"
                    + " must lie inside iovaRanges() (not in a reserved range such as the MSI window)";
        }
        if (errno == Errno.ENOSPC) {
            return "no free IOVA range of that length is left inside iovaRanges()";
        }
        if (errno == Errno.ENOENT) {
            return "the kernel has no IOAS of this id: it was destroyed through its id";
        }
        return null;
    }

    private static String copyHint(int errno) {
        if (errno == Errno.EPERM) {
            return "the source is mapped without WRITE: copy it with READ only, or map the source writable";
        }
        if (errno == Errno.ENOENT) {
            return "the source range is not mapped all through in the source IOAS";
        }
        return errno == Errno.ENOSPC ? null : mapHint(errno);
    }

    @Override
    public String mapOperation() {
        return "IOMMU_IOAS_MAP";
    }

    @Override
    public void addUnmapListener(UnmapListener listener) {
        unmapListeners.add(listener);
    }

    @Override
    public void removeUnmapListener(UnmapListener listener) {
        unmapListeners.remove(listener);
    }

    @Override
    public long unmap(long iova, long length) throws VfioException {
        // The kernel takes the length as unsigned: a negative one (an end - start gone wrong) that does not
        // take the range past 2^64 would unmap everything from iova up, and succeed. Whole-space unmaps are unmapAll's.
        MappingChecks.checkRange("IOMMU_IOAS_UNMAP", () -> unmapObject(iova, length), iova, length, true);
        checkOpen("IOMMU_IOAS_UNMAP"); // before the listeners: they must not hear of an unmap that is refused
        unmapListeners.unmapping(iova, length);
        List<BufferLeases.Lease> leases = bufferLeases.in(iova, iova + length - 1);
        long r = call("IOMMU_IOAS_UNMAP", f -> IommufdNative.ioasUnmap(f, id, iova, length));
        if (r < 0) {
            throw Errors.failure("IOMMU_IOAS_UNMAP", unmapObject(iova, length),
                    (int) -r, (int) -r == Errno.ENOENT ? "nothing is mapped there, or the range cuts a mapping: unmap whole"
                            + " mappings, from one's first byte to one's last (the kernel may have unmapped those before"
                            + " the cut)" : null);
        }
        bufferLeases.end(leases);
        return r;
    }

    private String unmapObject(long iova, long length) {
        return String.format("%s, iova 0x%x, length 0x%x", description, iova, length);
    }

    /** Unmaps everything (the unmap listeners hear of it too); returns the bytes unmapped. */
    public long unmapAll() throws VfioException {
        checkOpen("IOMMU_IOAS_UNMAP");
        unmapListeners.unmapping(new IovaRange(0, -1));
        List<BufferLeases.Lease> leases = bufferLeases.in(0, -1);
        long r = call("IOMMU_IOAS_UNMAP", f -> IommufdNative.ioasUnmap(f, id, 0, -1));
        if (r == -Errno.ENOENT) {
            bufferLeases.end(leases);
            return 0;
        }
        Errors.check(r, "IOMMU_IOAS_UNMAP", description + ", everything");
        bufferLeases.end(leases);
        return r;
    }

    /**
     * Maps into {@code dst} the pages this IOAS maps at {@code srcIova}, without pinning them again;
     * {@code dst} must belong to the same iommufd (ids name objects of one context only).
     */
    public void copyTo(IoAddressSpace dst, long dstIova, long srcIova, long length, Set<Access> access) throws VfioException {
        String object = String.format("%s -> %s, iova 0x%x -> 0x%x, length 0x%x", description, dst.description, srcIova,
                dstIova, length);
        if (dst.iommufd != iommufd) {
            throw new IllegalArgumentException("IOMMU_IOAS_COPY(" + object + "): " + dst + " belongs to " + dst.iommufd
                    + ", not to " + iommufd + ": an IOAS copies only within its own iommufd");
        }
        MappingChecks.check("IOMMU_IOAS_COPY", () -> object, dstIova, length, true, Access.mask(access));
        MappingChecks.checkRange("IOMMU_IOAS_COPY", () -> object, srcIova, length, true);
        int flags = flags(access) | IommufdConstants.MAP_FIXED_IOVA;
        dst.checkOpen("IOMMU_IOAS_COPY");
        int r = (int) call("IOMMU_IOAS_COPY", f -> IommufdNative.ioasCopy(f, dst.id, id, flags, dstIova, srcIova, length));
        if (r < 0) {
            throw Errors.failure("IOMMU_IOAS_COPY", object, -r, copyHint(-r));
        }
        // The copy shares the source's pages, by their user addresses: the buffers behind them stay leased in dst too.
        // (dst's leases are not taken under this one's: a copy the other way takes them the other way.)
        bufferLeases.copied(srcIova, length, dstIova).forEach((iova, leases) -> leases.forEach(l -> dst.bufferLeases.add(iova, l)));
    }

    /** The IOVA ranges usable for mappings, given the devices attached now. */
    public List<IovaRange> iovaRanges() throws VfioException {
        return ranges().ranges;
    }

    /** The alignment the attached IOMMUs require of IOVAs. */
    public long iovaAlignment() throws VfioException {
        return ranges().alignment;
    }

    private record Ranges(List<IovaRange> ranges, long alignment) {}

    private Ranges ranges() throws VfioException {
        int stride = IommufdConstants.C.sizeOf("iommu_iova_range");
        int capacity = 8;
        while (true) {
            InfoBuffer buf = new InfoBuffer(capacity * stride + 8);
            long alignmentAt = buf.address() + (long) capacity * stride;
            int room = capacity;
            int n = Errors.check((int) call("IOMMU_IOAS_IOVA_RANGES", f -> IommufdNative.ioasIovaRanges(f, id, buf.address(),
                    room, alignmentAt)),
                    "IOMMU_IOAS_IOVA_RANGES", description);
            if (n > capacity) {
                capacity = n;
                continue;
            }
            List<IovaRange> out = new ArrayList<>(n);
            int startAt = IommufdConstants.C.offsetOf("iommu_iova_range", "start");
            int lastAt = IommufdConstants.C.offsetOf("iommu_iova_range", "last");
            for (int i = 0; i < n; i++) {
                out.add(new IovaRange(buf.getLong(i * stride + startAt), buf.getLong(i * stride + lastAt)));
            }
            return new Ranges(List.copyOf(out), buf.getLong(capacity * stride));
        }
    }

    /**
     * IOMMU_IOAS_ALLOW_IOVAS: keeps these ranges usable (a device whose reserved regions overlap them
     * can no longer attach) and makes kernel-chosen IOVAs come only from them; an empty list lifts it.
     * Fails with EADDRINUSE when a range overlaps what is already reserved, e.g. an attached
     * device's MSI window.
     */
    public void allowIovas(List<IovaRange> allowed) throws VfioException {
        List<IovaRange> ranges = List.copyOf(allowed); // its count goes to the kernel: not one another thread grows
        int stride = IommufdConstants.C.sizeOf("iommu_iova_range");
        InfoBuffer buf = new InfoBuffer(Math.max(1, ranges.size()) * stride);
        for (int i = 0; i < ranges.size(); i++) {
            buf.putLong(i * stride + IommufdConstants.C.offsetOf("iommu_iova_range", "start"), ranges.get(i).start());
            buf.putLong(i * stride + IommufdConstants.C.offsetOf("iommu_iova_range", "last"), ranges.get(i).last());
        }
        int r;
        try {
            r = (int) call("IOMMU_IOAS_ALLOW_IOVAS", f -> IommufdNative.ioasAllowIovas(f, id, buf.address(), ranges.size()));
        } finally {
            Reference.reachabilityFence(buf); // the kernel reads it by address: not freed under the ioctl
        }
        if (r < 0) {
            throw Errors.failure("IOMMU_IOAS_ALLOW_IOVAS", description + ", " + ranges, -r, -r == Errno.EADDRINUSE
                    ? "a range overlaps a reserved region of an attached device; see iovaRanges()" : null);
        }
    }

    /** IOMMU_OPTION_HUGE_PAGES for this IOAS: whether it may use huge IOMMU pages. */
    public boolean hugePages() throws VfioException {
        checkOpen("IOMMU_OPTION");
        return iommufd.option(IommufdConstants.OPTION_HUGE_PAGES, id) != 0;
    }

    public void setHugePages(boolean enabled) throws VfioException {
        checkOpen("IOMMU_OPTION");
        iommufd.setOption(IommufdConstants.OPTION_HUGE_PAGES, id, enabled ? 1 : 0);
    }

    /**
     * Destroys the IOAS, and its mappings with it: the unmap listeners hear of them all, as from
     * {@link #unmapAll()}. Marked closed before the ioctl, so that a {@link #tryMap} that begins
     * meanwhile never reaches an id the kernel may give to a new IOAS (one already past its check is
     * the caller's race, as the class comment says); open again if the kernel refuses (EBUSY).
     */
    @Override
    public void close() throws VfioException {
        List<BufferLeases.Lease> leases;
        synchronized (this) {
            if (destroyed) {
                return;
            }
            destroyed = true;
            leases = bufferLeases.in(0, -1);
            int r = 0;
            try {
                r = iommufd.isOpen() ? (int) iommufd.call("IOMMU_DESTROY", f -> IommufdNative.destroy(f, id)) : 0;
            } catch (IllegalStateException iommufdClosedMeanwhile) {
                r = 0; // closing the iommufd destroyed it
            }
            if (r < 0) {
                destroyed = false;
                throw Errors.failure("IOMMU_DESTROY", description, -r, -r == Errno.EBUSY
                        ? "detach the devices and destroy the HW page tables that use it first" : null);
            }
        }
        bufferLeases.end(leases);
        unmapListeners.unmapping(new IovaRange(0, -1)); // outside the lock, as every unmap's listeners
    }

    @Override
    public String toString() {
        return description;
    }
}
