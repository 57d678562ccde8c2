package io.jvfio.internal;

import io.jvfio.memory.DmaMapper.UnmapListener;
import io.jvfio.memory.IovaRange;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The unmap listeners of one DMA mapper (a VFIO container or an IOAS), told before each unmap
 * ioctl; one copy of what both backends of {@link io.jvfio.memory.DmaMapper} need.
 */
public final class UnmapListeners {
    private final List<UnmapListener> listeners = new CopyOnWriteArrayList<>();

    public void add(UnmapListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void remove(UnmapListener listener) {
        listeners.remove(listener);
    }

    /**
     * Before unmapping {@code [iova, iova + length)}; returns the range told, for {@link #ended}. An
     * empty or wrapping range, which the ioctl refuses, tells no one: null.
     */
    public IovaRange unmapping(long iova, long length) {
        if (length == 0 || Long.compareUnsigned(iova + length - 1, iova) < 0) {
            return null;
        }
        IovaRange range = new IovaRange(iova, iova + length - 1);
        unmapping(range);
        return range;
    }

    public void unmapping(IovaRange range) {
        for (UnmapListener listener : listeners) {
            listener.unmapping(range);
        }
    }

    /** After the unmap ioctl of {@code range} (null: nothing to tell), with 0 or its errno. */
    public void ended(IovaRange range, int errno) {
        if (range == null) {
            return;
        }
        for (UnmapListener listener : listeners) {
            listener.unmapEnded(range, errno);
        }
    }
}
