package io.jvfio.memory;

import java.util.ArrayList;
import java.util.List;

/** An inclusive range of I/O virtual addresses, as the kernel reports them ({@code start..last}). */
public record IovaRange(long start, long last) {
    public IovaRange {
        if (Long.compareUnsigned(last, start) < 0) {
            throw new IllegalArgumentException(String.format("IOVA range ends (0x%x) before it starts (0x%x)", last, start));
        }
    }

    /** The range {@code [start, start + length)}. */
    public static IovaRange ofLength(long start, long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("an IOVA range needs a positive length, not " + length);
        }
        return new IovaRange(start, start + length - 1);
    }

    /** The number of addresses; saturates at Long.MAX_VALUE for the full 64-bit space. */
    public long length() {
        long n = last - start + 1;
        return n <= 0 ? Long.MAX_VALUE : n;
    }

    public boolean contains(long iova) {
        return Long.compareUnsigned(iova, start) >= 0 && Long.compareUnsigned(iova, last) <= 0;
    }

    /** Whether {@code [iova, iova + length)} lies wholly inside this range. */
    public boolean contains(long iova, long length) {
        return length > 0 && contains(iova) && contains(iova + length - 1)
                && Long.compareUnsigned(iova + length - 1, iova) >= 0;
    }

    public boolean overlaps(IovaRange other) {
        return Long.compareUnsigned(start, other.last) <= 0 && Long.compareUnsigned(other.start, last) <= 0;
    }

    /** What is left of this range once {@code holes} are taken out, in address order. */
    public List<IovaRange> minus(List<IovaRange> holes) {
        List<IovaRange> sorted = new ArrayList<>(holes);
        sorted.sort((a, b) -> Long.compareUnsigned(a.start, b.start));
        List<IovaRange> left = new ArrayList<>();
        long next = start;
        boolean done = false;
        for (IovaRange hole : sorted) {
            if (done || !overlaps(hole)) {
                continue;
            }
            if (Long.compareUnsigned(hole.start, next) > 0) {
                left.add(new IovaRange(next, hole.start - 1));
            }
            if (Long.compareUnsigned(hole.last, next) >= 0) {
                done = Long.compareUnsigned(hole.last, last) >= 0;
                next = hole.last + 1;
            }
        }
        if (!done) {
            left.add(new IovaRange(next, last));
        }
        return List.copyOf(left);
    }

    @Override
    public String toString() {
        return String.format("0x%x..0x%x", start, last);
    }
}
