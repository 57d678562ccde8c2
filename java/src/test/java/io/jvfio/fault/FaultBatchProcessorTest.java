package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grouping by cookie, one answer per group, and the policy-throws path, over records in the kernel's layout. */
class FaultBatchProcessorTest {
    private static final int SIZE = FaultConstants.RECORD_SIZE;
    private final ByteBuffer records = ByteBuffer.allocateDirect(16 * SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer responses = ByteBuffer.allocateDirect(16 * FaultConstants.RESPONSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);

    private void record(int i, int cookie, boolean last, int pasid, long addr, int perm) {
        int at = i * SIZE;
        records.putInt(at + FaultConstants.FLAGS, (last ? FaultConstants.FLAG_LAST_PAGE : 0)
                | (pasid != 0 ? FaultConstants.FLAG_PASID_VALID : 0));
        records.putInt(at + FaultConstants.DEV_ID, 7);
        records.putInt(at + FaultConstants.PASID, pasid);
        records.putInt(at + FaultConstants.GRPID, 0x1ff);
        records.putInt(at + FaultConstants.PERM, perm);
        records.putLong(at + FaultConstants.ADDR, addr);
        records.putInt(at + FaultConstants.LENGTH, 4096);
        records.putInt(at + FaultConstants.COOKIE, cookie);
    }

    private int cookieOf(int response) {
        return responses.getInt(response * FaultConstants.RESPONSE_SIZE + FaultConstants.RESPONSE_COOKIE);
    }

    private int codeOf(int response) {
        return responses.getInt(response * FaultConstants.RESPONSE_SIZE + FaultConstants.RESPONSE_CODE);
    }

    @Test
    void theFlyweightDecodesEveryField() {
        record(0, 42, true, 5, 0xdead_b000L, FaultConstants.PERM_WRITE);
        FaultRecords r = FaultRecords.over(records, 1);
        assertEquals(42, r.cookie(0));
        assertEquals(7, r.devId(0));
        assertTrue(r.pasidValid(0) && r.lastPage(0));
        assertEquals(5, r.pasid(0));
        assertEquals(0x1ff, r.grpid(0));
        assertEquals(0xdead_b000L, r.addr(0));
        assertEquals(4096, r.length(0));
        assertEquals(FaultConstants.PERM_WRITE, r.perm(0));
    }

    @Test
    void oneAnswerPerGroupInOrder() {
        record(0, 1, true, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 2, false, 3, 0x2000, FaultConstants.PERM_READ);
        record(2, 2, false, 3, 0x3000, FaultConstants.PERM_READ);
        record(3, 2, true, 3, 0x4000, FaultConstants.PERM_READ);
        record(4, 3, true, 0, 0x5000, FaultConstants.PERM_READ);
        List<Integer> sizes = new ArrayList<>();
        FaultBatchProcessor p = new FaultBatchProcessor(group -> {
            sizes.add(group.size());
            return group.pasidValid() ? FaultResponse.INVALID : FaultResponse.SUCCESS;
        });
        assertEquals(3, p.process(records, 5, responses));
        assertEquals(List.of(1, 3, 1), sizes);
        assertEquals(List.of(1, 2, 3), List.of(cookieOf(0), cookieOf(1), cookieOf(2)));
        assertEquals(List.of(FaultConstants.RESP_SUCCESS, FaultConstants.RESP_INVALID, FaultConstants.RESP_SUCCESS),
                List.of(codeOf(0), codeOf(1), codeOf(2)));
        assertEquals(2, p.success);
        assertEquals(1, p.invalid);
    }

    @Test
    void aGroupCutByTheEndOfTheReadIsStillAnsweredOnce() {
        record(0, 9, false, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 9, false, 0, 0x2000, FaultConstants.PERM_READ);
        FaultBatchProcessor p = new FaultBatchProcessor(group -> FaultResponse.SUCCESS);
        assertEquals(1, p.process(records, 2, responses));
        assertEquals(9, cookieOf(0));
    }

    @Test
    void aThrowingOrSilentPolicyGetsItsGroupAnsweredInvalidAndCounted() {
        record(0, 1, true, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 2, true, 0, 0x2000, FaultConstants.PERM_READ);
        record(2, 3, true, 0, 0x3000, FaultConstants.PERM_READ);
        FaultBatchProcessor p = new FaultBatchProcessor(group -> switch (group.cookie()) {
            case 1 -> throw new IllegalStateException("policy bug");
            case 2 -> null;
            default -> FaultResponse.SUCCESS;
        });
        assertEquals(3, p.process(records, 3, responses));
        assertEquals(FaultConstants.RESP_INVALID, codeOf(0));
        assertEquals(FaultConstants.RESP_INVALID, codeOf(1));
        assertEquals(FaultConstants.RESP_SUCCESS, codeOf(2));
        assertEquals(2, p.policyErrors);
        assertEquals(2, p.invalid);
    }

    @Test
    void statsAddUpBatchesAndLatency() {
        FaultStats stats = new FaultStats();
        stats.addBatch(64, 60, 58, 2, 1, 5_000);
        stats.addBatch(1, 1, 1, 0, 0, 2_000);
        stats.addRejectedResponse();
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(65, s.faults());
        assertEquals(61, s.groups());
        assertEquals(59, s.success());
        assertEquals(2, s.invalid());
        assertEquals(1, s.policyErrors());
        assertEquals(1, s.rejectedResponses());
        assertEquals(2, s.batches());
        assertEquals(64, s.maxBatch());
        assertTrue(s.p50Nanos() >= 4_990 && s.p50Nanos() <= 5_010, "60 of 61 groups took 5 us: " + s.p50Nanos());
        assertEquals(61, stats.groups());
    }
}
