package io.jvfio.fault;

/**
 * One bit per page of a region, for page numbers from 0 to {@code pages}: a radix tree whose leaves
 * hold 4096 bits (64 longs) and whose nodes hold 1024 children, made only where a bit was ever set.
 * A 256 MiB region of 4 KiB pages is one node of 16 leaves (8 KiB of bits); a region of 2^33 pages
 * costs nothing until it is touched. A test is two array loads per level; the scans skip absent
 * subtrees whole and read set words 64 bits at a time. The scans take ranges inside {@code [0, pages]}
 * and do not check them (they run on every fault). Not thread-safe.
 */
final class PageBitmap {
    private static final int LEAF_SHIFT = 12;
    private static final int LEAF_WORDS = 1 << (LEAF_SHIFT - 6);
    private static final int NODE_SHIFT = 10;
    private static final int NODE_MASK = (1 << NODE_SHIFT) - 1;

    private final long pages;
    /** The shift of the root's child index in a leaf number: 0 when the root's children are the leaves. */
    private final int rootShift;
    private final Object[] root;

    PageBitmap(long pages) {
        if (pages <= 0) {
            throw new IllegalArgumentException("a page bitmap needs a positive page count, not " + pages);
        }
        this.pages = pages;
        long leaves = ((pages - 1) >>> LEAF_SHIFT) + 1;
        int shift = 0;
        while ((leaves - 1) >>> shift > NODE_MASK) {
            shift += NODE_SHIFT;
        }
        this.rootShift = shift;
        this.root = new Object[(int) ((leaves - 1) >>> shift) + 1];
    }

    long pages() {
        return pages;
    }

    boolean get(long page) {
        long[] leaf = leaf(page >>> LEAF_SHIFT);
        return leaf != null && (leaf[(int) (page >>> 6) & (LEAF_WORDS - 1)] & 1L << page) != 0;
    }

    /** Sets the bits of pages {@code [from, to)}. */
    void set(long from, long to) {
        check(from, to);
        change(from, to, true);
    }

    /** Sets the bit of {@code page}; returns false, changing nothing, when it was set already. */
    boolean setIfClear(long page) {
        check(page, page + 1);
        long[] leaf = makeLeaf(page >>> LEAF_SHIFT);
        int w = (int) (page >>> 6) & (LEAF_WORDS - 1);
        long bit = 1L << page;
        if ((leaf[w] & bit) != 0) {
            return false;
        }
        leaf[w] |= bit;
        return true;
    }

    /** Clears the bits of pages {@code [from, to)}. */
    void clear(long from, long to) {
        check(from, to);
        change(from, to, false);
    }

    /** The first set page in {@code [from, to)}, or {@code to}. */
    long nextSet(long from, long to) {
        long i = from;
        while (i < to) {
            long[] leaf = leaf(i >>> LEAF_SHIFT);
            if (leaf == null) {
                i = nextPresentLeaf((i >>> LEAF_SHIFT) + 1, ((to - 1) >>> LEAF_SHIFT) + 1) << LEAF_SHIFT;
                continue;
            }
            do {
                long bits = leaf[(int) (i >>> 6) & (LEAF_WORDS - 1)] & -1L << i;
                if (bits != 0) {
                    return Math.min((i & -64) + Long.numberOfTrailingZeros(bits), to);
                }
                i = (i & -64) + 64;
            } while (i < to && (i & ((1L << LEAF_SHIFT) - 1)) != 0);
        }
        return to;
    }

    /** The first clear page in {@code [from, to)}, or {@code to}. */
    long nextClear(long from, long to) {
        long i = from;
        while (i < to) {
            long[] leaf = leaf(i >>> LEAF_SHIFT);
            if (leaf == null) {
                return i;
            }
            do {
                long bits = ~leaf[(int) (i >>> 6) & (LEAF_WORDS - 1)] & -1L << i;
                if (bits != 0) {
                    return Math.min((i & -64) + Long.numberOfTrailingZeros(bits), to);
                }
                i = (i & -64) + 64;
            } while (i < to && (i & ((1L << LEAF_SHIFT) - 1)) != 0);
        }
        return to;
    }

    /** The last set page in {@code [from, to)}, or {@code from - 1}. */
    long previousSet(long from, long to) {
        long i = to - 1;
        while (i >= from) {
            long[] leaf = leaf(i >>> LEAF_SHIFT);
            if (leaf == null) {
                long present = previousPresentLeaf((i >>> LEAF_SHIFT) - 1, from >>> LEAF_SHIFT);
                if (present < from >>> LEAF_SHIFT) {
                    return from - 1;
                }
                i = ((present + 1) << LEAF_SHIFT) - 1;
                continue;
            }
            do {
                long bits = leaf[(int) (i >>> 6) & (LEAF_WORDS - 1)] & -1L >>> (63 - (i & 63));
                if (bits != 0) {
                    long last = (i & -64) + 63 - Long.numberOfLeadingZeros(bits);
                    return last >= from ? last : from - 1;
                }
                i = (i & -64) - 1;
            } while (i >= from && (i & ((1L << LEAF_SHIFT) - 1)) != (1L << LEAF_SHIFT) - 1);
        }
        return from - 1;
    }

    private void check(long from, long to) {
        if (from < 0 || to > pages || from > to) {
            throw new IndexOutOfBoundsException("pages [" + from + ", " + to + ") of a bitmap of " + pages);
        }
    }

    private void change(long from, long to, boolean set) {
        long i = from;
        while (i < to) {
            long number = i >>> LEAF_SHIFT;
            long leafEnd = Math.min(to, (number + 1) << LEAF_SHIFT);
            long[] leaf = set ? makeLeaf(number) : leaf(number);
            if (leaf == null) {
                i = leafEnd;
                continue;
            }
            for (; i < leafEnd; i = (i & -64) + 64) {
                long wordEnd = Math.min(leafEnd - (i & -64), 64);
                long mask = -1L << i & -1L >>> (64 - wordEnd);
                int w = (int) (i >>> 6) & (LEAF_WORDS - 1);
                leaf[w] = set ? leaf[w] | mask : leaf[w] & ~mask;
            }
        }
    }

    /** The leaf of leaf number {@code number}, or null where no bit of it was ever set. */
    private long[] leaf(long number) {
        Object[] node = root;
        for (int shift = rootShift; shift > 0; shift -= NODE_SHIFT) {
            node = (Object[]) node[(int) (number >>> shift) & NODE_MASK];
            if (node == null) {
                return null;
            }
        }
        return (long[]) node[(int) number & NODE_MASK];
    }

    private long[] makeLeaf(long number) {
        Object[] node = root;
        for (int shift = rootShift; shift > 0; shift -= NODE_SHIFT) {
            int k = (int) (number >>> shift) & NODE_MASK;
            if (node[k] == null) {
                node[k] = new Object[1 << NODE_SHIFT];
            }
            node = (Object[]) node[k];
        }
        int k = (int) number & NODE_MASK;
        if (node[k] == null) {
            node[k] = new long[LEAF_WORDS];
        }
        return (long[]) node[k];
    }

    /** The first leaf number in {@code [number, end)} whose leaf exists, or {@code end}; skips absent subtrees whole. */
    private long nextPresentLeaf(long number, long end) {
        outer:
        while (number < end) {
            Object[] node = root;
            for (int shift = rootShift; shift >= 0; shift -= NODE_SHIFT) {
                Object child = node[(int) (number >>> shift) & NODE_MASK];
                if (child == null) {
                    number = ((number >>> shift) + 1) << shift;
                    continue outer;
                }
                if (shift > 0) {
                    node = (Object[]) child;
                }
            }
            return number;
        }
        return end;
    }

    /** The last leaf number in {@code [start, number]} whose leaf exists, or {@code start - 1}. */
    private long previousPresentLeaf(long number, long start) {
        outer:
        while (number >= start) {
            Object[] node = root;
            for (int shift = rootShift; shift >= 0; shift -= NODE_SHIFT) {
                Object child = node[(int) (number >>> shift) & NODE_MASK];
                if (child == null) {
                    number = ((number >>> shift) << shift) - 1;
                    continue outer;
                }
                if (shift > 0) {
                    node = (Object[]) child;
                }
            }
            return number;
        }
        return start - 1;
    }
}
