package io.jvfio.iommufd;

import io.jvfio.KernelFeature;
import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.IommufdNative;
import io.jvfio.internal.KernelSupport;
import io.jvfio.internal.UnixNative;
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
    private final Iommufd iommufd;
    private final int id;
    private final FaultQueue faultQueue;
    private volatile boolean destroyed;

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
        int faultId = faultQueue == null ? 0 : faultQueue.id();
        int raw = HwptFlag.raw(flags.isEmpty() ? EnumSet.noneOf(HwptFlag.class) : flags)
                | (faultId > 0 ? IommufdConstants.HWPT_FAULT_ID_VALID : 0);
        ByteBuffer direct = null;
        if (data != null) {
            direct = ByteBuffer.allocateDirect(data.remaining());
            direct.put(data.duplicate()).flip();
        }
        int r = IommufdNative.hwptAlloc(iommufd.fd(), raw, deviceId, parentId, dataType,
                direct == null ? 0 : UnixNative.address(direct), direct == null ? 0 : direct.capacity(), faultId);
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
                    ? "the IOMMU driver does not support these flags or this data type" : null,
                    needs.toArray(KernelFeature[]::new));
        }
        if (faultQueue != null) {
            faultQueue.retain();
        }
        return new HwPageTable(iommufd, r, faultQueue);
    }

    public int id() {
        return id;
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
    public void setDirtyTracking(boolean enable) throws VfioException {
        refuseDestroyed("set dirty tracking on");
        int r = IommufdNative.hwptSetDirtyTracking(iommufd.fd(), id, enable ? IommufdConstants.HWPT_DIRTY_TRACKING_ENABLE : 0);
        if (r < 0) {
            throw Errors.failure("IOMMU_HWPT_SET_DIRTY_TRACKING", this + (enable ? ", enable" : ", disable"), -r,
                    -r == Errno.EOPNOTSUPP || -r == Errno.EINVAL
                            ? "allocate the table with HwptFlag.DIRTY_TRACKING, on an IOMMU that tracks dirty pages" : null);
        }
    }

    /**
     * IOMMU_HWPT_GET_DIRTY_BITMAP: which pages of {@code [iova, iova + length)}, counted in
     * {@code pageSize} units from {@code iova}, DMA wrote to since tracking began or since the last
     * read that cleared; {@code clear} clears what it reports. The IOMMU keeps dirt per IOMMU page, so
     * a write anywhere in a large IOMMU mapping reports every page of it: which also tells how large
     * the mappings are. The range must be mapped throughout and hold whole IOMMU pages: a clearing
     * read of part of a large one clears all of its dirt on some kernels (6.12 refuses it, EPROTO).
     */
    public BitSet readDirty(long iova, long length, long pageSize, boolean clear) throws VfioException {
        if (pageSize <= 0 || Long.bitCount(pageSize) != 1 || length <= 0 || iova % pageSize != 0 || length % pageSize != 0
                || length / pageSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(String.format("a dirty bitmap of %s takes a power-of-two page size that"
                    + " iova 0x%x and length 0x%x are multiples of, and at most 2^31 - 1 pages; not page size 0x%x",
                    this, iova, length, pageSize));
        }
        refuseDestroyed("read the dirty bitmap of");
        int words = (int) ((length / pageSize + 63) / 64);
        ByteBuffer bitmap = ByteBuffer.allocateDirect(words * Long.BYTES).order(ByteOrder.nativeOrder());
        int r = IommufdNative.hwptGetDirtyBitmap(iommufd.fd(), id, clear ? 0 : IommufdConstants.HWPT_GET_DIRTY_BITMAP_NO_CLEAR,
                iova, length, pageSize, UnixNative.address(bitmap));
        if (r < 0) {
            throw Errors.failure("IOMMU_HWPT_GET_DIRTY_BITMAP", String.format("%s, iova 0x%x, length 0x%x, page size 0x%x",
                    this, iova, length, pageSize), -r, readDirtyHint(-r));
        }
        long[] bits = new long[words];
        bitmap.asLongBuffer().get(bits);
        return BitSet.valueOf(bits);
    }

    /** A destroyed table's id may already name another object. */
    private void refuseDestroyed(String what) {
        if (destroyed) {
            throw new IllegalStateException("cannot " + what + " " + this + ": it is destroyed");
        }
    }

    private static String readDirtyHint(int errno) {
        if (errno == Errno.EINVAL) {
            return "start tracking first (setDirtyTracking(true)); the range must be mapped throughout, and aligned on the"
                    + " IOAS's IOVA alignment";
        }
        if (errno == Errno.EOPNOTSUPP) {
            return "allocate the table with HwptFlag.DIRTY_TRACKING, on an IOMMU that tracks dirty pages";
        }
        if (errno == Errno.ENOENT) {
            return "read a paging table (a nested table's parent), not a nested one";
        }
        if (errno == Errno.EPROTO) {
            return "the range cuts a large IOMMU page: widen it to whole IOMMU pages";
        }
        return null;
    }

    @Override
    public synchronized void close() throws VfioException {
        if (destroyed) {
            return;
        }
        if (iommufd.isOpen()) {
            int r = IommufdNative.destroy(iommufd.fd(), id);
            if (r < 0 && -r != Errno.ENOENT) {
                throw Errors.failure("IOMMU_DESTROY", "hwpt " + id, -r, -r == Errno.EBUSY
                        ? "detach or replace the devices and nested tables that use it first" : null);
            }
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
