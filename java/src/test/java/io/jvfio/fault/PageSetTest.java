package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Page numbers beyond what an int holds stay apart; ranges are removed across chunk borders. */
class PageSetTest {
    @Test
    void pagesBeyondAnIntAreDistinct() {
        PageSet set = new PageSet();
        set.add(0);
        assertFalse(set.contains(1L << 32), "2^32 is not page 0");
        assertFalse(set.contains(1L << 31));
        set.add(1L << 31);
        set.add(Long.MAX_VALUE);
        assertTrue(set.contains(1L << 31));
        assertTrue(set.contains(Long.MAX_VALUE));
        assertFalse(set.contains((1L << 31) - 1));
        assertThrows(IllegalArgumentException.class, () -> set.add(-1));
    }

    @Test
    void nextWalksTheSetInOrder() {
        PageSet set = new PageSet();
        long[] pages = {3, (1L << 20) - 1, 1L << 20, 1L << 40, Long.MAX_VALUE};
        for (long p : pages) {
            set.add(p);
        }
        long at = set.next(0);
        for (long p : pages) {
            assertEquals(p, at);
            at = p == Long.MAX_VALUE ? -1 : set.next(p + 1);
        }
        assertEquals(-1, at);
        assertEquals(-1, set.next(-5));
    }

    @Test
    void removeRangeClearsAcrossChunks() {
        PageSet set = new PageSet();
        for (long p = (1L << 20) - 2; p < (1L << 20) + 2; p++) {
            set.add(p);
        }
        set.add(5L << 20);
        set.removeRange((1L << 20) - 1, 1L << 20);
        assertTrue(set.contains((1L << 20) - 2));
        assertFalse(set.contains((1L << 20) - 1));
        assertFalse(set.contains(1L << 20));
        assertTrue(set.contains((1L << 20) + 1));
        set.removeRange(0, Long.MAX_VALUE);
        assertEquals(-1, set.next(0));
        set.removeRange(7, 3);
    }
}
