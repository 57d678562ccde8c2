package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaMapper;
import io.jvfio.memory.IovaRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An IOAS in memory, with the kernel's answers: EEXIST for a map that overlaps a mapping, ENOENT
 * for an unmap that finds nothing or cuts a mapping (iommufd unmaps whole mappings only; like
 * iopt_unmap_iova_range, the ones before the cut mapping are unmapped by then); listeners hear of
 * every unmap first. Maps that cover one IOVA can be made to fail, as a memlock limit
 * would, and the next unmap with an errno.
 */
final class FakeMapper implements DmaMapper {
    /** One mapping, as IOMMU_IOAS_MAP made it. */
    record Mapping(long va, long length, Set<Access> access) {}

    private final TreeMap<Long, Mapping> mappings = new TreeMap<>();
    private final List<UnmapListener> listeners = new ArrayList<>();
    private long failingIova = -1;
    private int failingErrno;
    private int nextUnmapErrno;
    private long mapCalls;

    @Override
    public void map(long va, long length, long iova, Set<Access> access) throws VfioException {
        long r = tryMap(va, length, iova, access);
        if (r < 0) {
            throw new VfioException("IOMMU_IOAS_MAP", String.format("fake, iova 0x%x", iova), (int) -r, null);
        }
    }

    @Override
    public long tryMap(long va, long length, long iova, Set<Access> access) {
        mapCalls++;
        if (failingErrno != 0 && Long.compareUnsigned(failingIova - iova, length) < 0) {
            return -failingErrno;
        }
        Map.Entry<Long, Mapping> below = mappings.floorEntry(iova + length - 1);
        if (below != null && below.getKey() + below.getValue().length() > iova) {
            return -Errno.EEXIST;
        }
        mappings.put(iova, new Mapping(va, length, Set.copyOf(access)));
        return 0;
    }

    @Override
    public long unmap(long iova, long length) throws VfioException {
        IovaRange range = IovaRange.ofLength(iova, length);
        for (UnmapListener listener : List.copyOf(listeners)) {
            listener.unmapping(range);
        }
        int errno = nextUnmapErrno;
        nextUnmapErrno = 0;
        if (errno != 0) {
            throw new VfioException("IOMMU_IOAS_UNMAP", String.format("fake, iova 0x%x", iova), errno, null);
        }
        return forget(iova, length);
    }

    /** The next unmap unmaps nothing and fails with {@code errno} (EDEADLOCK: an access to the mapping did not let go). */
    void failNextUnmap(int errno) {
        nextUnmapErrno = errno;
    }

    /** Unmaps without telling the listeners, as something the policy cannot see would. */
    long forget(long iova, long length) throws VfioException {
        long last = iova + length - 1;
        Long from = mappings.floorKey(iova);
        long bytes = 0;
        var it = mappings.tailMap(from != null ? from : iova, true).entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Mapping> e = it.next();
            long start = e.getKey();
            long end = start + e.getValue().length() - 1;
            if (start > last) {
                break;
            }
            if (end < iova) {
                continue;
            }
            if (start < iova || end > last) {
                throw new VfioException("IOMMU_IOAS_UNMAP", String.format("fake, iova 0x%x cuts the mapping at 0x%x", iova, start),
                        Errno.ENOENT, null);
            }
            bytes += e.getValue().length();
            it.remove();
        }
        if (bytes == 0) {
            throw new VfioException("IOMMU_IOAS_UNMAP", String.format("fake, iova 0x%x", iova), Errno.ENOENT, null);
        }
        return bytes;
    }

    @Override
    public void addUnmapListener(UnmapListener listener) {
        listeners.add(listener);
    }

    @Override
    public void removeUnmapListener(UnmapListener listener) {
        listeners.remove(listener);
    }

    int listenerCount() {
        return listeners.size();
    }

    /** Maps that cover {@code iova} fail with {@code errno} from now on. */
    void failAt(long iova, int errno) {
        failingIova = iova;
        failingErrno = errno;
    }

    /** The mapping that starts at {@code iova}, or null. */
    Mapping at(long iova) {
        return mappings.get(iova);
    }

    int size() {
        return mappings.size();
    }

    /** Map calls so far, failed ones too. */
    long mapCalls() {
        return mapCalls;
    }
}
