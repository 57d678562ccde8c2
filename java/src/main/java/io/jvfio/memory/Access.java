package io.jvfio.memory;

import java.util.EnumSet;
import java.util.Set;

/** What a device may do with memory mapped for DMA. */
public enum Access {
    READ,
    WRITE;

    /** Every access's bit: a mask with other bits set is refused. */
    public static final int ALL_MASK = 3;

    /** This access's bit in an access mask: {@code 1 << ordinal()}. */
    public int bit() {
        return 1 << ordinal();
    }

    /**
     * {@code access} as a mask of {@link #bit()}s: the primitive form the fault path passes, where
     * {@link Set#contains} on whatever set the caller made costs a virtual call per test.
     */
    public static int mask(Set<Access> access) {
        int mask = 0;
        for (Access a : access) {
            mask |= a.bit();
        }
        return mask;
    }

    /** The accesses of {@code mask}; refuses bits beyond {@link #ALL_MASK} (see {@link #checkMask}). */
    public static EnumSet<Access> of(int mask) {
        checkMask(mask);
        EnumSet<Access> out = EnumSet.noneOf(Access.class);
        for (Access a : values()) {
            if ((mask & a.bit()) != 0) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Refuses a mask with bits beyond {@link #ALL_MASK}: most likely a fault's IOMMU_PGFAULT_PERM_*
     * bits passed where an access mask belongs (EXEC is 4).
     */
    public static int checkMask(int mask) {
        if ((mask & ~ALL_MASK) != 0) {
            throw new IllegalArgumentException("access mask 0x" + Integer.toHexString(mask)
                    + " has bits beyond READ and WRITE (Access.mask makes one from a set)");
        }
        return mask;
    }
}
