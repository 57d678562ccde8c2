package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The page bitmap agrees with {@link BitSet} on every test and scan, also across leaves and absent subtrees. */
class PageBitmapTest {
    @Test
    void agreesWithABitSetUnderRandomSetsAndClears() {
        // Three leaves and a part of a fourth: ranges cross words and leaves.
        int pages = 3 * 4096 + 1000;
        PageBitmap bitmap = new PageBitmap(pages);
        BitSet expected = new BitSet(pages);
        Random random = new Random(18);
        for (int step = 0; step < 2000; step++) {
            int from = random.nextInt(pages);
            int to = Math.min(pages, from + random.nextInt(step % 10 == 0 ? 6000 : 130));
            if (random.nextInt(3) == 0) {
                bitmap.clear(from, to);
                expected.clear(from, to);
            } else {
                bitmap.set(from, to);
                expected.set(from, to);
            }
            for (int probe = 0; probe < 8; probe++) {
                int a = random.nextInt(pages + 1);
                int b = a + random.nextInt(pages + 1 - a);
                assertEquals(expected.get(Math.min(a, pages - 1)), bitmap.get(Math.min(a, pages - 1)), "get " + a);
                assertEquals(nextSet(expected, a, b), bitmap.nextSet(a, b), "nextSet " + a + " " + b);
                assertEquals(nextClear(expected, a, b), bitmap.nextClear(a, b), "nextClear " + a + " " + b);
                assertEquals(previousSet(expected, a, b), bitmap.previousSet(a, b), "previousSet " + a + " " + b);
            }
        }
    }

    @Test
    void aHugeSparseBitmapScansAcrossAbsentSubtrees() {
        long pages = 1L << 33;
        PageBitmap bitmap = new PageBitmap(pages);
        long low = 5;
        long far = (1L << 32) + 1;
        bitmap.set(far, far + 3);
        bitmap.set(low, low + 1);
        assertTrue(bitmap.get(far));
        assertFalse(bitmap.get(far & 0xffff_ffffL), "page 2^32 + 1 is not page 1");
        assertEquals(far, bitmap.nextSet(low + 1, pages));
        assertEquals(pages, bitmap.nextSet(far + 3, pages));
        assertEquals(far + 2, bitmap.previousSet(0, pages));
        assertEquals(low, bitmap.previousSet(0, far));
        assertEquals(low, bitmap.previousSet(low, far));
        assertEquals(low, bitmap.previousSet(low, low + 1));
        assertEquals(low + 1, bitmap.nextClear(low, pages));
        assertEquals(far + 3, bitmap.nextClear(far, pages));
        assertEquals(-1, bitmap.previousSet(0, low));
        bitmap.clear(0, pages);
        assertEquals(pages, bitmap.nextSet(0, pages));
    }

    @Test
    void setIfClearSetsOneBitOnceAcrossWordsAndLeaves() {
        PageBitmap bitmap = new PageBitmap(3 * 4096);
        for (long page : new long[] {0, 63, 64, 4095, 4096, 3 * 4096 - 1}) {
            assertTrue(bitmap.setIfClear(page), "page " + page);
            assertFalse(bitmap.setIfClear(page), "page " + page + " again");
            assertTrue(bitmap.get(page));
            assertEquals(page, bitmap.nextSet(page, page + 1));
        }
        assertFalse(bitmap.get(1));
        assertFalse(bitmap.get(62));
        assertFalse(bitmap.get(65));
        assertEquals(4095, bitmap.nextSet(65, 3 * 4096));
        assertThrows(IndexOutOfBoundsException.class, () -> bitmap.setIfClear(3 * 4096));
    }

    @Test
    void refusesRangesOutsideItsPages() {
        PageBitmap bitmap = new PageBitmap(100);
        assertThrows(IndexOutOfBoundsException.class, () -> bitmap.set(90, 101));
        assertThrows(IndexOutOfBoundsException.class, () -> bitmap.clear(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> new PageBitmap(0));
    }

    private static long nextSet(BitSet bits, int from, int to) {
        int i = bits.nextSetBit(from);
        return i < 0 || i >= to ? to : i;
    }

    private static long nextClear(BitSet bits, int from, int to) {
        int i = bits.nextClearBit(from);
        return Math.min(i, to);
    }

    private static long previousSet(BitSet bits, int from, int to) {
        if (to == 0) {
            return from - 1;
        }
        int i = bits.previousSetBit(to - 1);
        return i < from ? from - 1 : i;
    }
}
