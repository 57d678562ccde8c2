package io.jvfio.fault;

import io.jvfio.memory.Access;
import io.jvfio.memory.DmaMapper;
import java.util.Set;

/**
 * One page-request group as a policy sees it: the faults that share a cookie and are answered
 * together. A reused view: valid only during {@link FaultPolicy#resolve}; copy what you keep.
 */
public final class FaultGroup {
    private FaultRecords records;
    private int first;
    private int size;
    /** The loop's offer when this group is the last of its batch, else null. */
    private MapThenAnswer offer;

    FaultGroup() {}

    void reset(FaultRecords records, int first, int size) {
        reset(records, first, size, null);
    }

    void reset(FaultRecords records, int first, int size, MapThenAnswer offer) {
        this.records = records;
        this.first = first;
        this.size = size;
        this.offer = offer;
    }

    /**
     * Maps for the k-th fault: {@link DmaMapper#tryMap(long, long, long, int)}, or, for the group's
     * last fault when the loop offers it ({@link MapThenAnswer}), the same map in the loop's native
     * call that then answers the batch, this group SUCCESS (when {@code mapper} is an IOAS). A policy
     * calls it only where a return of 0 means that it answers SUCCESS, and reads nothing of the group
     * after it. Its lock, when it holds one, stays held over that call's write and read: both never
     * block.
     */
    long tryMap(int k, DmaMapper mapper, long va, long length, long iova, int accessMask) {
        if (offer != null && k == size - 1) {
            return offer.tryMapThenAnswer(mapper, va, length, iova, accessMask);
        }
        return mapper.tryMap(va, length, iova, accessMask);
    }

    /** A view of {@code size} records of {@code records} from {@code first} (for tests and tools). */
    public static FaultGroup of(FaultRecords records, int first, int size) {
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

    public boolean pasidValid() {
        return records.pasidValid(first);
    }

    public int pasid() {
        return records.pasid(first);
    }

    public int grpid() {
        return records.grpid(first);
    }

    /** The faulting address of the k-th fault of the group. */
    public long addr(int k) {
        return records.addr(first + k);
    }

    /** IOMMU_PGFAULT_PERM_* of the k-th fault; {@link FaultPermissions} decodes them. */
    public int perm(int k) {
        return records.perm(first + k);
    }

    /** How much the requester expects to access (a hint). */
    public int length(int k) {
        return records.length(first + k);
    }

    public int flags(int k) {
        return records.flags(first + k);
    }

    public boolean wantsWrite(int k) {
        return FaultPermissions.writes(perm(k));
    }

    /** Whether memory mapped with {@code access} satisfies the k-th fault. */
    public boolean allowedBy(int k, Set<Access> access) {
        return FaultPermissions.allowedBy(perm(k), access);
    }

    @Override
    public String toString() {
        return String.format("fault group cookie %d, %d fault(s), dev %d, %s, first addr 0x%x %s", cookie(), size,
                devId(), pasidValid() ? "pasid " + pasid() : "no pasid", addr(0), FaultPermissions.describe(perm(0)));
    }
}
