package io.jvfio.fault;

import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of page numbers ({@code 0 .. Long.MAX_VALUE}): a region of guest memory can hold more pages
 * than an int counts. Sparse: one bitmap per chunk of 2^20 pages (4 GiB of 4 KiB pages), made when
 * a page of it is first added and dropped when its last page goes. Not thread-safe.
 */
final class PageSet {
    private static final int CHUNK_SHIFT = 20;
    private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;

    private final TreeMap<Long, BitSet> chunks = new TreeMap<>();

    boolean contains(long page) {
        BitSet bits = chunks.get(page >>> CHUNK_SHIFT);
        return bits != null && bits.get(bit(page));
    }

    void add(long page) {
        checkPage(page);
        chunks.computeIfAbsent(page >>> CHUNK_SHIFT, c -> new BitSet()).set(bit(page));
    }

    /** Removes the pages {@code first..last} (inclusive). */
    void removeRange(long first, long last) {
        if (first > last) {
            return;
        }
        checkPage(first);
        long firstChunk = first >>> CHUNK_SHIFT;
        long lastChunk = last >>> CHUNK_SHIFT;
        var it = chunks.subMap(firstChunk, true, lastChunk, true).entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, BitSet> e = it.next();
            int from = e.getKey() == firstChunk ? bit(first) : 0;
            int to = e.getKey() == lastChunk ? bit(last) + 1 : 1 << CHUNK_SHIFT;
            e.getValue().clear(from, to);
            if (e.getValue().isEmpty()) {
                it.remove();
            }
        }
    }

    /** The smallest page in the set that is {@code >= from}, or -1. */
    long next(long from) {
        if (from < 0) {
            return -1;
        }
        for (Map.Entry<Long, BitSet> e : chunks.tailMap(from >>> CHUNK_SHIFT, true).entrySet()) {
            int start = e.getKey() == from >>> CHUNK_SHIFT ? bit(from) : 0;
            int b = e.getValue().nextSetBit(start);
            if (b >= 0) {
                return (e.getKey() << CHUNK_SHIFT) | b;
            }
        }
        return -1;
    }

    private static int bit(long page) {
        return (int) (page & CHUNK_MASK);
    }

    private static void checkPage(long page) {
        if (page < 0) {
            throw new IllegalArgumentException("not a page number: " + page);
        }
    }
}
