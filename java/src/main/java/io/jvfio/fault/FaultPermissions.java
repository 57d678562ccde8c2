package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import io.jvfio.memory.Access;
import java.util.Set;

/** What a fault asks for, decoded from its IOMMU_PGFAULT_PERM_* bits; the one place that reads them. */
public final class FaultPermissions {
    /** The IOMMU_PGFAULT_PERM_* bits (from C), e.g. for a test that makes a fault source ask for access. */
    public static final int READ = FaultConstants.PERM_READ;
    public static final int WRITE = FaultConstants.PERM_WRITE;
    public static final int EXEC = FaultConstants.PERM_EXEC;
    public static final int PRIV = FaultConstants.PERM_PRIV;

    private FaultPermissions() {}

    /** A read or an instruction fetch: both need the page readable. */
    public static boolean reads(int perm) {
        return (perm & (READ | EXEC)) != 0;
    }

    public static boolean writes(int perm) {
        return (perm & WRITE) != 0;
    }

    /** A privileged-mode access: never granted to a device's DMA. */
    public static boolean privileged(int perm) {
        return (perm & PRIV) != 0;
    }

    /** Whether memory mapped with {@code access} satisfies the fault. */
    public static boolean allowedBy(int perm, Set<Access> access) {
        return allowedBy(perm, Access.mask(access));
    }

    /** {@link #allowedBy(int, Set)} with the access as a mask of {@link Access#bit()}s. */
    public static boolean allowedBy(int perm, int accessMask) {
        return !privileged(perm) && (!reads(perm) || (accessMask & Access.READ.bit()) != 0)
                && (!writes(perm) || (accessMask & Access.WRITE.bit()) != 0);
    }

    /** E.g. "rw", "r-x", "-w-p": for messages. */
    public static String describe(int perm) {
        return ((perm & READ) != 0 ? "r" : "-") + (writes(perm) ? "w" : "-")
                + ((perm & EXEC) != 0 ? "x" : "-") + (privileged(perm) ? "p" : "");
    }
}
