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

    /** Before unmapping {@code [iova, iova + length)}; an empty or wrapping range, which the ioctl refuses, tells no one. */
    public void unmapping(long iova, long length) {
        if (length != 0 && Long.compareUnsigned(iova + length - 1, iova) >= 0) {
            unmapping(new IovaRange(iova, iova + length - 1));
        }
    }

    public void unmapping(IovaRange range) {
        for (UnmapListener listener : listeners) {
            listener.unmapping(range);
        }
    }
}
