package io.jvfio.bench.bindings;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fault-batch workload every binding runs: 64 page-request records in the kernel's layout
 * (struct iommu_hwpt_pgfault), grouped by cookie as the kernel groups them, and one response per
 * group back. The records and the answering logic are the same for every binding; only the calls
 * that move the bytes differ.
 */
public final class FaultBatch {
    public static final int RECORDS = 64;
    public static final int RECORDS_BYTES = RECORDS * FaultConstants.RECORD_SIZE;
    public static final int MAX_RESPONSES_BYTES = RECORDS * FaultConstants.RESPONSE_SIZE;
    /** Group sizes repeat 1, 1, 2, 4: 64 records make 32 groups, like a device faulting on short runs. */
    private static final int[] GROUP_SIZES = {1, 1, 2, 4};

    private FaultBatch() {}

    /** The 64 records, ready to be written as the kernel would deliver them. */
    public static byte[] records() {
        ByteBuffer b = ByteBuffer.allocate(RECORDS_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        int i = 0;
        int cookie = 100;
        for (int g = 0; i < RECORDS; g++) {
            int size = Math.min(GROUP_SIZES[g % GROUP_SIZES.length], RECORDS - i);
            for (int k = 0; k < size; k++, i++) {
                int at = i * FaultConstants.RECORD_SIZE;
                b.putInt(at + FaultConstants.FLAGS, k == size - 1 ? FaultConstants.FLAG_LAST_PAGE : 0);
                b.putInt(at + FaultConstants.DEV_ID, 1);
                b.putInt(at + FaultConstants.GRPID, g & 0x1ff);
                b.putInt(at + FaultConstants.PERM, FaultConstants.PERM_READ | FaultConstants.PERM_WRITE);
                b.putLong(at + FaultConstants.ADDR, 0x100000L + 4096L * i);
                b.putInt(at + FaultConstants.LENGTH, 4096);
                b.putInt(at + FaultConstants.COOKIE, cookie);
            }
            cookie++;
        }
        return b.array();
    }

    /** Groups {@code count} records by cookie and writes a SUCCESS per group; returns the response bytes. */
    public static int answer(ByteBuffer records, int count, ByteBuffer responses) {
        int groups = 0;
        for (int i = 0; i < count; i++) {
            int at = i * FaultConstants.RECORD_SIZE;
            int cookie = records.getInt(at + FaultConstants.COOKIE);
            boolean last = (records.getInt(at + FaultConstants.FLAGS) & FaultConstants.FLAG_LAST_PAGE) != 0
                    || i + 1 == count || records.getInt(at + FaultConstants.RECORD_SIZE + FaultConstants.COOKIE) != cookie;
            if (last) {
                int r = groups++ * FaultConstants.RESPONSE_SIZE;
                responses.putInt(r + FaultConstants.RESPONSE_COOKIE, cookie);
                responses.putInt(r + FaultConstants.RESPONSE_CODE, FaultConstants.RESP_SUCCESS);
            }
        }
        return groups * FaultConstants.RESPONSE_SIZE;
    }
}
