package io.jvfio.fault;

import io.jvfio.memory.Access;
import java.util.Set;

/**
 * One page-request group as a policy sees it: the faults that share a cookie and are answered
 * together. A reused view: valid only during {@link FaultPolicy#resolve}; copy what you keep.
 */
public final class FaultGroup {
    private FaultRecords records;
    private int first;
    private int size;

    FaultGroup() {}

    void reset(FaultRecords records, int first, int size) {
        this.records = records;
        this.first = first;
        this.size = size;
    }

    /**
     * A view of {@code size} records of {@code records} from {@code first} (for tests and tools). A
     * group holds at least one fault, inside the records read: an empty group would let a policy
     * answer SUCCESS for nothing.
     */
    public static FaultGroup of(FaultRecords records, int first, int size) {
        if (first < 0 || size < 1 || (long) first + size > records.count()) {
            throw new IllegalArgumentException("a fault group of " + size + " record(s) from record " + first
                    + " is not inside the " + records.count() + " record(s) read; a group holds at least one");
        }
        FaultGroup g = new FaultGroup();
        g.reset(records, first, size);
        return g;
    }

    public int size() {
        return size;
    }

    public int cookie() {
        return records.cookie(first);
    }

    public int devId() {
        return records.devId(first);
    }

    /**
     * Whether the group came with a PASID: its last fault's (the LAST_PAGE one), as the kernel files the
     * group under that fault's page table and answers it with that PASID. A device may send the
     * group's other faults with another or none: see {@link #pasidValid(int)}.
     */
    public boolean pasidValid() {
        return records.pasidValid(first + size - 1);
    }

    /** The PASID the group is handled and answered under (its last fault's); see {@link #pasidValid()}. */
    public int pasid() {
        return records.pasid(first + size - 1);
    }

    /** Whether the k-th fault came with a PASID. */
    public boolean pasidValid(int k) {
        return records.pasidValid(record(k));
    }

    /** The PASID of the k-th fault, when {@link #pasidValid(int)}. */
    public int pasid(int k) {
        return records.pasid(record(k));
    }

    public int grpid() {
        return records.grpid(first);
    }

    /** The faulting address of the k-th fault of the group. */
    public long addr(int k) {
        return records.addr(record(k));
    }

    /** IOMMU_PGFAULT_PERM_* of the k-th fault; {@link FaultPermissions} decodes them. */
    public int perm(int k) {
        return records.perm(record(k));
    }

    /** How much the requester expects to access (a hint). */
    public int length(int k) {
        return records.length(record(k));
    }

    public int flags(int k) {
        return records.flags(record(k));
    }

    public boolean wantsWrite(int k) {
        return FaultPermissions.writes(perm(k));
    }

    /** Whether memory mapped with {@code access} satisfies the k-th fault. */
    public boolean allowedBy(int k, Set<Access> access) {
        return FaultPermissions.allowedBy(perm(k), access);
    }

    /**
     * The index in the records of the group's k-th fault. Checked: past the group's end lie the next
     * group's faults or an earlier batch's, which a policy would answer for without an error.
     */
    private int record(int k) {
        if (k < 0 || k >= size) {
            throw outside(k);
        }
        return first + k;
    }

    private IndexOutOfBoundsException outside(int k) {
        return new IndexOutOfBoundsException("fault " + k + " of a group of " + size + " (cookie " + cookie()
                + "): its faults are 0.." + (size - 1) + ", see size()");
    }

    @Override
    public String toString() {
        return String.format("fault group cookie %d, %d fault(s), dev %d, %s, first addr 0x%x %s", cookie(), size,
                devId(), pasidValid() ? "pasid " + pasid() : "no pasid", addr(0), FaultPermissions.describe(perm(0)));
    }
}
