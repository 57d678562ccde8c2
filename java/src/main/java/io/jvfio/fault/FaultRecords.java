package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A flyweight over the fault records of one read (struct iommu_hwpt_pgfault, layout from C): no
 * object per record, just absolute reads from the reused buffer. {@link FaultResponses} is its
 * counterpart for the answers.
 */
public final class FaultRecords {
    /** sizeof(struct iommu_hwpt_pgfault): the bytes of one record. */
    public static final int SIZE = FaultConstants.RECORD_SIZE;
    /**
     * Field offsets in a record and the flag bits, from C: for code that writes records the way the
     * kernel does, e.g. a benchmark's stand-in for a fault fd.
     */
    public static final int FLAGS = FaultConstants.FLAGS;
    public static final int DEV_ID = FaultConstants.DEV_ID;
    public static final int PASID = FaultConstants.PASID;
    public static final int GRPID = FaultConstants.GRPID;
    public static final int PERM = FaultConstants.PERM;
    public static final int ADDR = FaultConstants.ADDR;
    public static final int LENGTH = FaultConstants.LENGTH;
    public static final int COOKIE = FaultConstants.COOKIE;
    public static final int FLAG_PASID_VALID = FaultConstants.FLAG_PASID_VALID;
    public static final int FLAG_LAST_PAGE = FaultConstants.FLAG_LAST_PAGE;

    private final ByteBuffer buffer;
    private int count;

    private FaultRecords(ByteBuffer buffer, int count) {
        this.buffer = buffer;
        this.count = count;
    }

    /** Room for {@code capacity} records in a direct buffer in native order, as the kernel writes them. */
    public static FaultRecords allocate(int capacity) {
        if (capacity < 1 || capacity > Integer.MAX_VALUE / SIZE) {
            throw new IllegalArgumentException("room for 1.." + Integer.MAX_VALUE / SIZE + " fault records (" + SIZE
                    + " bytes each), not " + capacity);
        }
        return new FaultRecords(ByteBuffer.allocateDirect(capacity * SIZE).order(ByteOrder.nativeOrder()), 0);
    }

    /**
     * Views {@code count} records at the start of {@code buffer}, which must be in native order, the
     * kernel's: through a view in the other order (a new ByteBuffer is big-endian) every cookie reads
     * swapped, and the answers the kernel refuses leave the device's page requests waiting.
     */
    public static FaultRecords over(ByteBuffer buffer, int count) {
        if (buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("FaultRecords.over: fault records are read in native order ("
                    + ByteOrder.nativeOrder() + "), the kernel's, not " + buffer.order() + " (" + buffer
                    + "): call order(ByteOrder.nativeOrder()) on it");
        }
        if (count < 0 || (long) count * SIZE > buffer.capacity()) {
            throw new IllegalArgumentException(count + " fault records do not fit in " + buffer);
        }
        return new FaultRecords(buffer, count);
    }

    /** The buffer to read into, e.g. with {@link io.jvfio.iommufd.FaultQueue#read}. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** How many records the buffer holds. */
    public int capacity() {
        return buffer.capacity() / SIZE;
    }

    /** Sets how many records the last read returned. */
    public void count(int count) {
        if (count < 0 || count > capacity()) {
            throw new IllegalArgumentException("count " + count + " is outside 0.." + capacity());
        }
        this.count = count;
    }

    public int count() {
        return count;
    }

    public int flags(int i) {
        return buffer.getInt(i * SIZE + FLAGS);
    }

    public int devId(int i) {
        return buffer.getInt(i * SIZE + DEV_ID);
    }

    public int pasid(int i) {
        return buffer.getInt(i * SIZE + PASID);
    }

    public int grpid(int i) {
        return buffer.getInt(i * SIZE + GRPID);
    }

    /** IOMMU_PGFAULT_PERM_* bits; {@link FaultPermissions} decodes them. */
    public int perm(int i) {
        return buffer.getInt(i * SIZE + PERM);
    }

    public long addr(int i) {
        return buffer.getLong(i * SIZE + ADDR);
    }

    public int length(int i) {
        return buffer.getInt(i * SIZE + LENGTH);
    }

    public int cookie(int i) {
        return buffer.getInt(i * SIZE + COOKIE);
    }

    public boolean pasidValid(int i) {
        return (flags(i) & FLAG_PASID_VALID) != 0;
    }

    public boolean lastPage(int i) {
        return (flags(i) & FLAG_LAST_PAGE) != 0;
    }

    /** Whether record {@code i} ends its group: LAST_PAGE, the next record has another cookie, or the read ends. */
    public boolean endsGroup(int i) {
        return lastPage(i) || i + 1 == count || cookie(i + 1) != cookie(i);
    }
}
