package io.jvfio.memory;

import java.util.EnumSet;
import java.util.Set;

/** What a device may do with memory mapped for DMA. */
public enum Access {
    READ,
    WRITE;

    /** {@link #READ} and {@link #WRITE} as a mask. */
    public static final int READ_WRITE = 3;

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

    /** The accesses of {@code mask}; bits above {@link #READ_WRITE} are refused. */
    public static Set<Access> ofMask(int mask) {
        if ((mask & ~READ_WRITE) != 0) {
            throw new IllegalArgumentException("access mask 0x" + Integer.toHexString(mask) + " has bits beyond READ and WRITE");
        }
        EnumSet<Access> out = EnumSet.noneOf(Access.class);
        for (Access a : values()) {
            if ((mask & a.bit()) != 0) {
                out.add(a);
            }
        }
        return out;
    }
}
