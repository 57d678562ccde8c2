package io.jvfio.bench.bindings;

import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultRecords;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultResponses;
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
    public static final int RECORDS_BYTES = RECORDS * FaultRecords.SIZE;
    public static final int MAX_RESPONSES_BYTES = RECORDS * FaultResponses.SIZE;
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
                int at = i * FaultRecords.SIZE;
                b.putInt(at + FaultRecords.FLAGS, k == size - 1 ? FaultRecords.FLAG_LAST_PAGE : 0);
                b.putInt(at + FaultRecords.DEV_ID, 1);
                b.putInt(at + FaultRecords.GRPID, g & 0x1ff);
                b.putInt(at + FaultRecords.PERM, FaultPermissions.READ | FaultPermissions.WRITE);
                b.putLong(at + FaultRecords.ADDR, 0x100000L + 4096L * i);
                b.putInt(at + FaultRecords.LENGTH, 4096);
                b.putInt(at + FaultRecords.COOKIE, cookie);
            }
            cookie++;
        }
        return b.array();
    }

    /** Groups {@code count} records by cookie and writes a SUCCESS per group; returns the response bytes. */
    public static int answer(ByteBuffer records, int count, ByteBuffer responses) {
        int groups = 0;
        for (int i = 0; i < count; i++) {
            int at = i * FaultRecords.SIZE;
            int cookie = records.getInt(at + FaultRecords.COOKIE);
            boolean last = (records.getInt(at + FaultRecords.FLAGS) & FaultRecords.FLAG_LAST_PAGE) != 0
                    || i + 1 == count || records.getInt(at + FaultRecords.SIZE + FaultRecords.COOKIE) != cookie;
            if (last) {
                int r = groups++ * FaultResponses.SIZE;
                responses.putInt(r + FaultResponses.COOKIE, cookie);
                responses.putInt(r + FaultResponses.CODE, FaultResponse.SUCCESS.code());
            }
        }
        return groups * FaultResponses.SIZE;
    }
}
