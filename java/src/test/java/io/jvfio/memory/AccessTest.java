package io.jvfio.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The access mask, the primitive form of a set of accesses that the fault path maps with. */
class AccessTest {
    @Test
    void everySetOfAccessesIsItsMaskAndBack() {
        for (Set<Access> access : List.<Set<Access>>of(EnumSet.noneOf(Access.class), Set.of(Access.READ),
                Set.of(Access.WRITE), Set.of(Access.READ, Access.WRITE))) {
            int mask = Access.mask(access);
            assertEquals(access, Access.of(mask), "mask 0x" + Integer.toHexString(mask));
        }
        assertEquals(Access.ALL_MASK, Access.mask(EnumSet.allOf(Access.class)));
        assertEquals(1, Access.READ.bit());
        assertEquals(2, Access.WRITE.bit());
    }

    @Test
    void aMaskWithOtherBitsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Access.of(4));
        assertEquals("access mask 0x4 has bits beyond READ and WRITE (Access.mask makes one from a set)", e.getMessage());
    }
}
