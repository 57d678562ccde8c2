package io.jvfio.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IovaRangeTest {
    @Test
    void inclusiveEndsAndLength() {
        IovaRange r = IovaRange.ofLength(0x1000, 0x2000);
        assertEquals(0x2fff, r.last());
        assertEquals(0x2000, r.length());
        assertTrue(r.contains(0x1000) && r.contains(0x2fff));
        assertFalse(r.contains(0xfff) || r.contains(0x3000));
    }

    @Test
    void containsARangeOnlyWhenWhollyInside() {
        IovaRange r = new IovaRange(0x1000, 0x1fff);
        assertTrue(r.contains(0x1000, 0x1000));
        assertFalse(r.contains(0x1800, 0x1000));
        assertFalse(r.contains(0x1fff, 2));
    }

    @Test
    void minusLeavesTheGapsInOrder() {
        IovaRange r = new IovaRange(0x0, 0xffff);
        assertEquals(List.of(r), r.minus(List.of()));
        assertEquals(List.of(new IovaRange(0x1000, 0xffff)), r.minus(List.of(new IovaRange(0x0, 0xfff))));
        assertEquals(List.of(new IovaRange(0x0, 0xfff), new IovaRange(0x3000, 0x7fff), new IovaRange(0x9000, 0xefff)),
                r.minus(List.of(new IovaRange(0x8000, 0x8fff), new IovaRange(0x1000, 0x1fff), new IovaRange(0x1800, 0x2fff),
                        new IovaRange(0xf000, 0x1ffff), new IovaRange(0x20000, 0x2ffff))));
        assertEquals(List.of(), r.minus(List.of(new IovaRange(0x0, 0x7fff), new IovaRange(0x8000, 0xffff))));
        IovaRange top = new IovaRange(0xffffffffffff0000L, 0xffffffffffffffffL);
        assertEquals(List.of(new IovaRange(0xffffffffffff0000L, 0xffffffffffff0fffL)),
                top.minus(List.of(new IovaRange(0xffffffffffff1000L, 0xffffffffffffffffL))));
    }

    @Test
    void overlap() {
        IovaRange a = new IovaRange(0x1000, 0x1fff);
        assertTrue(a.overlaps(new IovaRange(0x1fff, 0x2fff)));
        assertFalse(a.overlaps(new IovaRange(0x2000, 0x2fff)));
        assertTrue(a.overlaps(new IovaRange(0, Long.MAX_VALUE)));
    }

    @Test
    void theWhole64BitSpaceIsUnsigned() {
        IovaRange all = new IovaRange(0, -1L);
        assertTrue(all.contains(0xffff_ffff_ffff_f000L));
        assertEquals(Long.MAX_VALUE, all.length(), "saturates");
        IovaRange high = new IovaRange(0x8000_0000_0000_0000L, -1L);
        assertTrue(high.contains(-4096L));
        assertFalse(high.contains(0x1000));
    }

    @Test
    void badRangesAreRefusedClearly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IovaRange(0x2000, 0x1000));
        assertTrue(e.getMessage().contains("ends (0x1000) before it starts (0x2000)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IovaRange.ofLength(0x1000, 0));
    }
}
