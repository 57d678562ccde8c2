package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Grouping by cookie, one answer per group, and the policy-throws path, over records in the kernel's layout. */
class FaultBatchProcessorTest {
    private static final int SIZE = FaultConstants.RECORD_SIZE;
    private final FaultRecords batch = FaultRecords.allocate(16);
    private final ByteBuffer records = batch.buffer();
    private final FaultResponses responses = FaultResponses.allocate(16);
    private final FaultStats stats = new FaultStats();

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
        return responses.cookie(response);
    }

    private int codeOf(int response) {
        return responses.code(response);
    }

    /** Answers {@code count} records, then counts the batch as the loop does once its answers are written. */
    private int process(FaultPolicy policy, int count) {
        batch.count(count);
        int groups = new FaultBatchProcessor(policy, stats).process(batch, responses);
        stats.addBatch(count, groups, 1);
        return groups;
    }

    @Test
    void aGroupViewOfNoRecordOrBeyondTheRecordsReadIsRefused() {
        record(0, 42, true, 5, 0xdead_b000L, FaultConstants.PERM_WRITE);
        batch.count(1);
        assertEquals(42, FaultGroup.of(batch, 0, 1).cookie());
        assertThrows(IllegalArgumentException.class, () -> FaultGroup.of(batch, 0, 0), "an empty group");
        assertThrows(IllegalArgumentException.class, () -> FaultGroup.of(batch, 0, 2), "past the records read");
        assertThrows(IllegalArgumentException.class, () -> FaultGroup.of(batch, -1, 1));
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
        assertEquals(3, process(group -> {
            sizes.add(group.size());
            return group.pasidValid() ? FaultResponse.INVALID : FaultResponse.SUCCESS;
        }, 5));
        assertEquals(List.of(1, 3, 1), sizes);
        assertEquals(List.of(1, 2, 3), List.of(cookieOf(0), cookieOf(1), cookieOf(2)));
        assertEquals(List.of(FaultConstants.RESP_SUCCESS, FaultConstants.RESP_INVALID, FaultConstants.RESP_SUCCESS),
                List.of(codeOf(0), codeOf(1), codeOf(2)));
        assertEquals(3, responses.count());
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(2, s.success(), "the processor counts its answers into the statistics it was given");
        assertEquals(1, s.invalid());
    }

    @Test
    void aGroupCutByTheEndOfTheReadIsStillAnsweredOnce() {
        record(0, 9, false, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 9, false, 0, 0x2000, FaultConstants.PERM_READ);
        assertEquals(1, process(group -> FaultResponse.SUCCESS, 2));
        assertEquals(9, cookieOf(0));
    }

    @Test
    void aThrowingOrSilentPolicyGetsItsGroupAnsweredInvalidAndCounted() {
        record(0, 1, true, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 2, true, 0, 0x2000, FaultConstants.PERM_READ);
        record(2, 3, true, 0, 0x3000, FaultConstants.PERM_READ);
        assertEquals(3, process(group -> switch (group.cookie()) {
            case 1 -> throw new IllegalStateException("policy bug");
            case 2 -> null;
            default -> FaultResponse.SUCCESS;
        }, 3));
        assertEquals(FaultConstants.RESP_INVALID, codeOf(0));
        assertEquals(FaultConstants.RESP_INVALID, codeOf(1));
        assertEquals(FaultConstants.RESP_SUCCESS, codeOf(2));
        assertEquals(2, stats.snapshot().policyErrors());
        assertEquals(2, stats.snapshot().invalid());
    }

    /** The first failure is logged with its stack trace: printing it must not throw out of the batch. */
    @Test
    void aPolicyExceptionWhoseMessageThrowsIsAnsweredInvalidNotThrownOutOfTheBatch() {
        record(0, 1, true, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 2, true, 0, 0x2000, FaultConstants.PERM_READ);
        RuntimeException unprintable = new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new NullPointerException("the message's field is null");
            }
        };
        assertEquals(2, process(group -> {
            if (group.cookie() == 1) {
                throw unprintable;
            }
            return FaultResponse.SUCCESS;
        }, 2));
        assertEquals(List.of(FaultConstants.RESP_INVALID, FaultConstants.RESP_SUCCESS), List.of(codeOf(0), codeOf(1)));
        assertEquals(1, stats.snapshot().policyErrors());
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    @Test
    void aPolicyThrowingAnErrorGetsItsGroupAnsweredInvalidAndTheRestOfTheBatchAnswered() {
        for (int i = 0; i < 5; i++) {
            record(i, 10 + i, true, 0, 0x1000L * (i + 1), FaultConstants.PERM_READ);
        }
        assertEquals(5, process(group -> switch (group.cookie()) {
            case 11 -> throw new OutOfMemoryError("policy ran out of heap");
            case 12 -> recurse(0) > 0 ? FaultResponse.SUCCESS : FaultResponse.INVALID;
            case 13 -> throw new AssertionError("policy assertion");
            default -> FaultResponse.SUCCESS;
        }, 5));
        assertEquals(List.of(10, 11, 12, 13, 14), List.of(cookieOf(0), cookieOf(1), cookieOf(2), cookieOf(3), cookieOf(4)));
        assertEquals(List.of(FaultConstants.RESP_SUCCESS, FaultConstants.RESP_INVALID, FaultConstants.RESP_INVALID,
                FaultConstants.RESP_INVALID, FaultConstants.RESP_SUCCESS),
                List.of(codeOf(0), codeOf(1), codeOf(2), codeOf(3), codeOf(4)));
        FaultStats.Snapshot s = stats.snapshot();
        assertEquals(3, s.policyErrors());
        assertEquals(3, s.invalid());
        assertEquals(2, s.success());
    }

    @Test
    void refusingAnswersEveryGroupInvalidWithoutAskingThePolicy() {
        record(0, 1, true, 0, 0x1000, FaultConstants.PERM_READ);
        record(1, 2, false, 0, 0x2000, FaultConstants.PERM_READ);
        record(2, 2, true, 0, 0x3000, FaultConstants.PERM_READ);
        batch.count(3);
        FaultBatchProcessor p = new FaultBatchProcessor(group -> {
            throw new AssertionError("not asked");
        }, stats);
        assertEquals(2, p.refuse(batch, responses));
        stats.addBatch(3, 2, 1);
        assertEquals(List.of(1, 2), List.of(cookieOf(0), cookieOf(1)));
        assertEquals(List.of(FaultConstants.RESP_INVALID, FaultConstants.RESP_INVALID), List.of(codeOf(0), codeOf(1)));
        assertEquals(0, stats.snapshot().policyErrors());
        assertEquals(2, stats.snapshot().invalid());
    }

    @Test
    void aCapacityWhoseBytesOverflowAnIntIsRefusedNotWrapped() {
        // 2^29 responses of 8 bytes wrapped to a buffer of 0 bytes.
        IllegalArgumentException responses = assertThrows(IllegalArgumentException.class,
                () -> FaultResponses.allocate(1 << 29));
        assertTrue(responses.getMessage().contains("fault responses"), responses.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FaultRecords.allocate(1 << 26));
        assertThrows(IllegalArgumentException.class, () -> FaultRecords.allocate(0));
    }
}
