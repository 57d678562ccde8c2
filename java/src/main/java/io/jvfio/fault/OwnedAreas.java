package io.jvfio.fault;

/**
 * The areas a demand-map policy owns in one region, as page numbers from the region's start: one bit
 * per owned page and one per page that starts an area. Areas are disjoint runs of owned pages, each
 * beginning at a start bit, so an area ends at the next start bit or the next page not owned; no
 * lengths are stored, nothing is boxed, and adding an area is setting bits. Not thread-safe.
 */
final class OwnedAreas {
    private final long pages;
    private final PageBitmap owned;
    private final PageBitmap starts;

    OwnedAreas(long pages) {
        this.pages = pages;
        this.owned = new PageBitmap(pages);
        this.starts = new PageBitmap(pages);
    }

    long pages() {
        return pages;
    }

    boolean owns(long page) {
        return owned.get(page);
    }

    /** Records the area of pages {@code [start, end)}; none of them may be owned yet. */
    void add(long start, long end) {
        if (end - start == 1) { // a one-page window, the common fault: one bit test and two sets
            if (!owned.setIfClear(start)) {
                throw overlap(start, end);
            }
        } else {
            if (start >= end || owned.nextSet(start, end) != end) {
                throw overlap(start, end);
            }
            owned.set(start, end);
        }
        starts.setIfClear(start);
    }

    private static IllegalStateException overlap(long start, long end) {
        return new IllegalStateException("area [" + start + ", " + end + ") is empty or overlaps an owned one");
    }

    /** The first page of the area holding the owned {@code page}. */
    long areaStart(long page) {
        return starts.previousSet(0, page + 1);
    }

    /** The page after the area that starts at {@code start}. */
    long areaEnd(long start) {
        return Math.min(starts.nextSet(start + 1, pages), owned.nextClear(start + 1, pages));
    }

    /** Forgets the area that starts at {@code start}; returns its length in pages. */
    long remove(long start) {
        long end = areaEnd(start);
        owned.clear(start, end);
        starts.clear(start, start + 1);
        return end - start;
    }

    /** The first page at or after {@code from} that starts an area, or the region's page count. */
    long nextAreaStart(long from) {
        return from >= pages ? pages : starts.nextSet(from, pages);
    }

    /** The last owned page in {@code [from, to)}, or {@code from - 1}. */
    long lastOwned(long from, long to) {
        return owned.previousSet(from, to);
    }

    /** The first owned page in {@code [from, to)}, or {@code to}. */
    long firstOwned(long from, long to) {
        return owned.nextSet(from, to);
    }
}
