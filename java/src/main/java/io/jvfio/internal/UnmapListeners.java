package io.jvfio.internal;

import io.jvfio.memory.DmaMapper.UnmapListener;
import io.jvfio.memory.IovaRange;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The unmap listeners of one DMA mapper (a VFIO container or an IOAS), told before each unmap
 * ioctl; one copy of what both backends of {@link io.jvfio.memory.DmaMapper} need. Every listener is
 * told, and the unmap goes on, whatever one of them throws: a listener that forgot the range before
 * another threw (a demand-map policy's records) would otherwise forget a mapping that stays.
 */
public final class UnmapListeners {
    private static final Logger LOG = LoggerFactory.getLogger(UnmapListeners.class);

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
            try {
                listener.unmapping(range);
            } catch (Throwable e) {
                FailureLog.log(LOG, Level.WARN, e, "unmap listener {} failed on {}; the unmap goes on", listener, range);
            }
        }
    }
}
