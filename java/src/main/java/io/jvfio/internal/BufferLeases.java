package io.jvfio.internal;

import io.jvfio.memory.DmaBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The DmaBuffers a DMA mapper mapped, each held by an empty view of it until its range is unmapped.
 * Some mappings pin their pages only later: an IOAS at its first attach or HW page table, iommufd's
 * VFIO compatibility container when its first device opens. A buffer closed before then would give
 * its addresses to the next mmap, whose memory the pin would then expose to DMA; with a view alive,
 * the close leaves a tombstone over them instead (see DmaBuffer), where the pin fails with EFAULT.
 * Keyed by IOVA (unsigned); thread-safe.
 */
public final class BufferLeases {
    /** A view of a mapped buffer, which keeps its addresses reserved, and the length mapped. */
    public record Lease(ByteBuffer view, long length) {}

    private final TreeMap<Long, List<Lease>> byIova = new TreeMap<>(Long::compareUnsigned);

    /** After {@code buffer} was mapped whole at {@code iova}. */
    public void add(DmaBuffer buffer, long iova) {
        add(iova, new Lease(buffer.buffer(0, 0), buffer.size()));
    }

    public void add(long iova, Lease lease) {
        synchronized (byIova) {
            byIova.computeIfAbsent(iova, k -> new ArrayList<>()).add(lease);
        }
    }

    /** The leases filed in {@code [first, last]}, taken before their unmap: a map after it may lease the same IOVA. */
    public List<Lease> in(long first, long last) {
        synchronized (byIova) {
            List<Lease> in = new ArrayList<>();
            byIova.subMap(first, true, last, true).values().forEach(in::addAll);
            return in;
        }
    }

    /** After their range was unmapped: the buffers may release their addresses. */
    public void end(List<Lease> ended) {
        if (ended.isEmpty()) {
            return;
        }
        Set<Lease> gone = Collections.newSetFromMap(new IdentityHashMap<>()); // by identity: equal records may differ
        gone.addAll(ended);
        synchronized (byIova) {
            byIova.values().forEach(leases -> leases.removeIf(gone::contains));
            byIova.values().removeIf(List::isEmpty);
        }
    }

    /**
     * The leases of the buffers behind {@code [srcIova, srcIova + length)}, by the IOVA a copy of that
     * range to {@code dstIova} gives them (the copy's own IOVA for a buffer that begins before the
     * range): an unmap of the copy then ends them.
     */
    public Map<Long, List<Lease>> copied(long srcIova, long length, long dstIova) {
        long last = srcIova + length - 1;
        Map<Long, List<Lease>> shared = new HashMap<>();
        synchronized (byIova) {
            byIova.forEach((iova, leases) -> leases.forEach(lease -> {
                if (Long.compareUnsigned(iova, last) <= 0 && Long.compareUnsigned(iova + lease.length() - 1, srcIova) >= 0) {
                    long at = Long.compareUnsigned(iova, srcIova) < 0 ? dstIova : dstIova + (iova - srcIova);
                    shared.computeIfAbsent(at, k -> new ArrayList<>()).add(lease);
                }
            }));
        }
        return shared;
    }
}
