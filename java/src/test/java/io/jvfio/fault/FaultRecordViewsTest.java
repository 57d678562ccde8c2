package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** What the views a policy reads faults through refuse, where reading on would answer the wrong fault. */
class FaultRecordViewsTest {
    @Test
    void recordsAreViewedInNativeOrderOnly() {
        ByteOrder other = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        ByteBuffer otherOrder = ByteBuffer.allocateDirect(2 * FaultRecords.SIZE).order(other);
        ByteBuffer asTheKernelWrites = otherOrder.duplicate().order(ByteOrder.nativeOrder());
        asTheKernelWrites.putInt(FaultConstants.COOKIE, 1);
        // Through the other order cookie 1 would read 0x1000000, an answer the kernel refuses.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultRecords.over(otherOrder, 1));
        assertTrue(e.getMessage().contains("order(ByteOrder.nativeOrder())"), e.getMessage());
        assertEquals(1, FaultRecords.over(asTheKernelWrites, 1).cookie(0));
    }

    @Test
    void aGroupRefusesAFaultPastItsEnd() {
        FaultRecords records = FaultRecords.allocate(3);
        for (int i = 0; i < 3; i++) {
            records.buffer().putInt(i * FaultRecords.SIZE + FaultConstants.COOKIE, 7 + i / 2);
            records.buffer().putLong(i * FaultRecords.SIZE + FaultConstants.ADDR, 0x1000L * (i + 1));
        }
        records.count(3);
        FaultGroup first = FaultGroup.of(records, 0, 2);
        assertEquals(0x2000, first.addr(1));
        // Past its end lies the next group's fault (cookie 8): answering for it would be answering for another request.
        IndexOutOfBoundsException past = assertThrows(IndexOutOfBoundsException.class, () -> first.addr(2));
        assertEquals("fault 2 of a group of 2 (cookie 7): its faults are 0..1, see size()", past.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> first.perm(-1));
        FaultGroup last = FaultGroup.of(records, 2, 1);
        assertThrows(IndexOutOfBoundsException.class, () -> last.flags(1));
        assertThrows(IndexOutOfBoundsException.class, () -> last.length(1));
        assertThrows(IndexOutOfBoundsException.class, () -> last.wantsWrite(1));
        assertThrows(IndexOutOfBoundsException.class, () -> last.pasid(1));
    }

    /**
     * The kernel gathers a group's faults by group index alone and files the group under its LAST_PAGE
     * fault's PASID, which its answer carries: a policy deciding on the first fault's would decide
     * for another page table.
     */
    @Test
    void aGroupsPasidIsItsLastFaults() {
        FaultRecords records = FaultRecords.allocate(2);
        records.buffer().putInt(FaultConstants.COOKIE, 7);
        records.buffer().putInt(FaultRecords.SIZE + FaultConstants.COOKIE, 7);
        records.buffer().putInt(FaultRecords.SIZE + FaultConstants.FLAGS, FaultConstants.FLAG_LAST_PAGE
                | FaultConstants.FLAG_PASID_VALID);
        records.buffer().putInt(FaultRecords.SIZE + FaultConstants.PASID, 5);
        records.count(2);
        FaultGroup group = FaultGroup.of(records, 0, 2);
        assertTrue(group.pasidValid());
        assertEquals(5, group.pasid());
        assertFalse(group.pasidValid(0), "the first fault came without one");
        assertEquals(5, group.pasid(1));
        assertTrue(group.toString().contains("pasid 5"), group.toString());
    }
}
