package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import io.jvfio.memory.Access;
import java.util.Set;

/** What a fault asks for, decoded from its IOMMU_PGFAULT_PERM_* bits; the one place that reads them. */
public final class FaultPermissions {
    private FaultPermissions() {}

    /** A read or an instruction fetch: both need the page readable. */
    public static boolean reads(int perm) {
        return (perm & (FaultConstants.PERM_READ | FaultConstants.PERM_EXEC)) != 0;
    }

    public static boolean writes(int perm) {
        return (perm & FaultConstants.PERM_WRITE) != 0;
    }

    /** A privileged-mode access: never granted to a device's DMA. */
    public static boolean privileged(int perm) {
        return (perm & FaultConstants.PERM_PRIV) != 0;
    }

    /** Whether memory mapped with {@code access} satisfies the fault. */
    public static boolean allowedBy(int perm, Set<Access> access) {
        return !privileged(perm) && (!reads(perm) || access.contains(Access.READ))
                && (!writes(perm) || access.contains(Access.WRITE));
    }

    /** E.g. "rw", "r-x", "-w-p": for messages. */
    public static String describe(int perm) {
        return ((perm & FaultConstants.PERM_READ) != 0 ? "r" : "-") + (writes(perm) ? "w" : "-")
                + ((perm & FaultConstants.PERM_EXEC) != 0 ? "x" : "-") + (privileged(perm) ? "p" : "");
    }
}
