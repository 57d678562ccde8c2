package io.jvfio.iommufd;

import io.jvfio.KernelFeature;
import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.IommufdNative;
import io.jvfio.internal.KernelSupport;
import io.jvfio.internal.MappingChecks;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A hardware page table (HWPT) for one device: a paging table over an IOAS, or a nested (stage-1)
 * table over a NEST_PARENT one, optionally delivering its I/O page faults to a fault queue.
 */
public final class HwPageTable implements AutoCloseable {
    /** The most pages one {@link #readDirty} reports: a bitmap of 32 MiB, 1 TiB of 4 KiB pages. */
    public static final long MAX_DIRTY_PAGES = 1L << 28;

    private final Iommufd iommufd;
    private final int id;
    private final FaultQueue faultQueue;
    private volatile boolean destroyed;
    /** Set by {@link #setDirtyTracking}, under this object's lock as close is. */
    private boolean dirtyTracking;

    private HwPageTable(Iommufd iommufd, int id, FaultQueue faultQueue) {
        this.iommufd = iommufd;
        this.id = id;
        this.faultQueue = faultQueue;
    }

    /** A paging HWPT over an IOAS for device {@code deviceId}. */
    public static HwPageTable allocate(Iommufd iommufd, int deviceId, int ioasId, Set<HwptFlag> flags) throws VfioException {
        return allocate(iommufd, deviceId, ioasId, flags, IommufdConstants.HWPT_DATA_NONE, null, null);
    }

    /**
     * A paging HWPT over an IOAS whose page faults go to {@code faultQueue}. Needs Linux 6.13+
     * ({@link KernelFeature#FAULT_ON_PAGING_HWPT}); older kernels take a fault queue only on a nested table.
     */
    public static HwPageTable allocate(Iommufd iommufd, int deviceId, int ioasId, Set<HwptFlag> flags, FaultQueue faultQueue)
            throws VfioException {
        return allocate(iommufd, deviceId, ioasId, flags, IommufdConstants.HWPT_DATA_NONE, null, faultQueue);
    }

    /**
     * The general form: {@code dataType} and {@code data} describe a nested table's driver-specific
     * stage-1 (e.g. IOMMU_HWPT_DATA_VTD_S1); a non-null {@code faultQueue} receives the table's page
     * faults and cannot be closed before the table is.
     */
    public static HwPageTable allocate(Iommufd iommufd, int deviceId, int parentId, Set<HwptFlag> flags, int dataType,
                                       ByteBuffer data, FaultQueue faultQueue) throws VfioException {
        if (faultQueue != null && faultQueue.iommufd() != iommufd) {
            throw new IllegalArgumentException("IOMMU_HWPT_ALLOC(device " + deviceId + "): " + faultQueue + " belongs to "
                    + faultQueue.iommufd() + ", not to " + iommufd + ": ids name objects of one iommufd only");
        }
        int faultId = faultQueue == null ? 0 : faultQueue.id();
        int raw = HwptFlag.raw(flags.isEmpty() ? EnumSet.noneOf(HwptFlag.class) : flags)
                | (faultId > 0 ? IommufdConstants.HWPT_FAULT_ID_VALID : 0);
        ByteBuffer direct = null;
        if (data != null) {
            direct = ByteBuffer.allocateDirect(data.remaining());
            direct.put(data.duplicate()).flip();
        }
        if (faultQueue != null) {
            faultQueue.retain(); // refused once closed: its id may name another queue by now
        }
        long dataAddress = direct == null ? 0 : UnixNative.address(direct);
        int dataLength = direct == null ? 0 : direct.capacity();
        int r = -Errno.EBADF;
        try {
            r = (int) iommufd.call("IOMMU_HWPT_ALLOC",
                    f -> IommufdNative.hwptAlloc(f, raw, deviceId, parentId, dataType, dataAddress, dataLength, faultId));
        } finally {
            Reference.reachabilityFence(direct); // the kernel read its memory by address: not freed under the ioctl
            if (r < 0 && faultQueue != null) {
                faultQueue.release(); // no table delivers faults to it: a closed iommufd (thrown) or the kernel refused
            }
        }
        if (r < 0) {
            String object = "device " + deviceId + ", parent " + parentId + ", flags " + flags
                    + (faultId > 0 ? ", fault queue " + faultId : "") + (dataType != 0 ? ", data type " + dataType : "");
            List<KernelFeature> needs = new ArrayList<>();
            if (faultId > 0 && direct == null) { // no stage-1 data: a paging table
                needs.add(KernelFeature.FAULT_ON_PAGING_HWPT);
            }
            if (flags.contains(HwptFlag.PASID)) {
                needs.add(KernelFeature.HWPT_ALLOC_PASID);
            }
            throw KernelSupport.failure("IOMMU_HWPT_ALLOC", object, -r, -r == Errno.EOPNOTSUPP
                    ? "the IOMMU driver does not support these flags or this data type"
                    : -r == Errno.EFAULT ? MappingChecks.PIN_FAILED_HINT : null,
                    needs.toArray(KernelFeature[]::new));
        }
        return new HwPageTable(iommufd, r, faultQueue);
    }

    public int id() {
        return id;
    }

    public Iommufd iommufd() {
        return iommufd;
    }

    /** False once closed: its id may name another object by then. */
    public boolean isOpen() {
        return !destroyed && iommufd.isOpen();
    }

    /** Whether this table's I/O page faults go to a fault queue. */
    public boolean deliversFaults() {
        return faultQueue != null;
    }

    /**
     * IOMMU_HWPT_SET_DIRTY_TRACKING: starts or stops recording which IOMMU pages DMA writes to (for
     * live migration). Needs a paging table (not a nested one) allocated with
     * {@link HwptFlag#DIRTY_TRACKING}, on an IOMMU whose {@link HwInfo} reports dirty tracking.
     * Starting clears the dirt recorded so far.
     */
    public synchronized void setDirtyTracking(boolean enable) throws VfioException {
        refuseDestroyed("set dirty tracking on");
        int r = (int) iommufd.call("IOMMU_HWPT_SET_DIRTY_TRACKING",
                f -> IommufdNative.hwptSetDirtyTracking(f, id, enable ? IommufdConstants.HWPT_DIRTY_TRACKING_ENABLE : 0));
        if (r < 0) {
            throw Errors.failure("IOMMU_HWPT_SET_DIRTY_TRACKING", this + (enable ? ", enable" : ", disable"), -r,
                    dirtyHint(-r));
        }
        dirtyTracking = enable;
    }

    /** Whether {@link #setDirtyTracking} last started tracking. */
    public synchronized boolean isDirtyTracking() {
        return dirtyTracking;
    }

    /**
     * IOMMU_HWPT_GET_DIRTY_BITMAP: which pages of {@code [iova, iova + length)}, counted in
     * {@code pageSize} units from {@code iova}, DMA wrote to since tracking began or since the last
     * read that cleared; {@code clear} clears what it reports. The IOMMU keeps dirt per IOMMU page, so
     * a write anywhere in a large IOMMU mapping reports every page of it: which also tells how large
     * the mappings are. Refused while tracking is off: 7.2 then reads every page as clean where 6.12
     * fails. The range must be mapped throughout (7.2 reads a hole as clean) and hold whole IOMMU
     * pages: a range that cuts a large one fails with EPROTO on 6.12, possibly after clearing what it
     * read, so after such a failure treat the whole range as dirty. 7.2 reports a large page's whole
     * length, also past the range's end: such a read fails the same way here. At most
     * {@link #MAX_DIRTY_PAGES} pages a read: read a larger range in parts.
     */
    public synchronized BitSet readDirty(long iova, long length, long pageSize, boolean clear) throws VfioException {
        String object = String.format("%s, iova 0x%x, length 0x%x, page size 0x%x", this, iova, length, pageSize);
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1) {
            throw new IllegalArgumentException("IOMMU_HWPT_GET_DIRTY_BITMAP of " + object + ": the page size must be a power"
                    + " of two");
        }
        if (length <= 0 || iova % pageSize != 0 || length % pageSize != 0 || Long.compareUnsigned(iova + length - 1, iova) < 0) {
            throw new IllegalArgumentException("IOMMU_HWPT_GET_DIRTY_BITMAP of " + object + ": the range must be whole pages,"
                    + " not empty, and end below 2^64");
        }
        if (length / pageSize > MAX_DIRTY_PAGES) {
            throw new IllegalArgumentException("IOMMU_HWPT_GET_DIRTY_BITMAP of " + object + ": " + length / pageSize
                    + " pages is more than " + MAX_DIRTY_PAGES + " a read; read the range in parts");
        }
        refuseDestroyed("read the dirty bitmap of");
        if (!dirtyTracking) {
            throw new IllegalStateException("cannot read the dirty bitmap of " + this + ": tracking is off; start it with"
                    + " setDirtyTracking(true)");
        }
        int pages = (int) (length / pageSize);
        int words = (pages + 63) / 64;
        // Whole memory pages of its own: 7.2's iova_bitmap_set writes a large IOMMU page's bits whole,
        // past the range's end, up to the end of the bitmap's last memory page (into the heap, were it
        // a malloc'd block of the words alone).
        int bytes = (int) ((words * (long) Long.BYTES + UnixConstants.PAGE_SIZE - 1) & -UnixConstants.PAGE_SIZE);
        ByteBuffer bitmap = ByteBuffer.allocateDirect(bytes + UnixConstants.PAGE_SIZE).alignedSlice(UnixConstants.PAGE_SIZE)
                .order(ByteOrder.nativeOrder());
        int noClear = clear ? 0 : IommufdConstants.HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
        int r = (int) iommufd.call("IOMMU_HWPT_GET_DIRTY_BITMAP",
                f -> IommufdNative.hwptGetDirtyBitmap(f, id, noClear, iova, length, pageSize, UnixNative.address(bitmap)));
        if (r < 0) {
            throw Errors.failure("IOMMU_HWPT_GET_DIRTY_BITMAP", object, -r, dirtyHint(-r));
        }
        BitSet dirty = BitSet.valueOf(bitmap.limit(bytes).asLongBuffer());
        if (dirty.length() > pages) {
            // As 6.12 answers such a read (EPROTO), so that a caller handles both kernels alike.
            throw VfioException.of("IOMMU_HWPT_GET_DIRTY_BITMAP", object, Errno.EPROTO, "the kernel reported dirt past the"
                    + " range's end, from a large IOMMU page the range cuts; " + dirtyHint(Errno.EPROTO));
        }
        return dirty;
    }

    /** A destroyed table's id may already name another object; a closed iommufd names none. */
    private void refuseDestroyed(String what) {
        if (destroyed) {
            throw new IllegalStateException("cannot " + what + " " + this + ": it is destroyed");
        }
        if (!iommufd.isOpen()) {
            throw new IllegalStateException("cannot " + what + " " + this + ": its " + iommufd + " is closed");
        }
    }

    private static String dirtyHint(int errno) {
        if (errno == Errno.EINVAL) {
            return "the range must be mapped throughout, and aligned on the IOAS's IOVA alignment; tracking needs a table"
                    + " allocated with HwptFlag.DIRTY_TRACKING";
        }
        if (errno == Errno.EOPNOTSUPP) {
            return "allocate the table with HwptFlag.DIRTY_TRACKING, on an IOMMU that tracks dirty pages";
        }
        if (errno == Errno.ENOENT) {
            return "track a paging table (a nested table's parent), not a nested one";
        }
        if (errno == Errno.EPROTO) {
            return "the range cuts a large IOMMU page: read whole IOMMU pages, and take this range as all dirty (a"
                    + " clearing read may have cleared what it read before it failed)";
        }
        if (errno == Errno.ENOMEM) {
            return "the kernel could not allocate its walk of the bitmap: read a smaller range";
        }
        return null;
    }

    @Override
    public synchronized void close() throws VfioException {
        if (destroyed) {
            return;
        }
        // Not call(): an iommufd closed meanwhile (which destroyed the table) must not keep the fault queue held.
        int r = (int) iommufd.tryCall(f -> IommufdNative.destroy(f, id), 0);
        if (r < 0 && -r != Errno.ENOENT) {
            throw Errors.failure("IOMMU_DESTROY", "hwpt " + id, -r, -r == Errno.EBUSY
                    ? "detach or replace the devices and nested tables that use it first" : null);
        }
        destroyed = true;
        if (faultQueue != null) {
            faultQueue.release();
        }
    }

    @Override
    public String toString() {
        return "hwpt " + id;
    }
}
