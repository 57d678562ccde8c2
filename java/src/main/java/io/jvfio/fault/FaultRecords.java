package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;

/**
 * A flyweight over the fault records of one read (struct iommu_hwpt_pgfault, layout from C): no
 * object per record, just absolute reads from the reused buffer.
 */
public final class FaultRecords {
    private static final int SIZE = FaultConstants.RECORD_SIZE;

    private ByteBuffer buffer;
    private int count;

    void reset(ByteBuffer buffer, int count) {
        this.buffer = buffer;
        this.count = count;
    }

    /** Views {@code count} records at the start of {@code buffer} (little-endian, as the kernel wrote them). */
    public static FaultRecords over(ByteBuffer buffer, int count) {
        FaultRecords r = new FaultRecords();
        r.reset(buffer, count);
        return r;
    }

    public int count() {
        return count;
    }

    public int flags(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.FLAGS);
    }

    public int devId(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.DEV_ID);
    }

    public int pasid(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.PASID);
    }

    public int grpid(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.GRPID);
    }

    public int perm(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.PERM);
    }

    public long addr(int i) {
        return buffer.getLong(i * SIZE + FaultConstants.ADDR);
    }

    public int length(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.LENGTH);
    }

    public int cookie(int i) {
        return buffer.getInt(i * SIZE + FaultConstants.COOKIE);
    }

    public boolean pasidValid(int i) {
        return (flags(i) & FaultConstants.FLAG_PASID_VALID) != 0;
    }

    public boolean lastPage(int i) {
        return (flags(i) & FaultConstants.FLAG_LAST_PAGE) != 0;
    }
}
