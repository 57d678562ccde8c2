package io.jvfio.internal;

import io.jvfio.VfioException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file descriptor with one owner: {@link #close()} is idempotent and thread-safe, and use after
 * close fails with a clear message instead of touching a recycled descriptor number.
 */
public final class OwnedFd implements AutoCloseable {
    private static final int CLOSED = -1;

    private final AtomicInteger fd;
    private final String description;

    /** Takes ownership of {@code fd}; {@code description} names it in errors, e.g. "group 7". */
    public OwnedFd(int fd, String description) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd + " (" + description + ")");
        }
        this.fd = new AtomicInteger(fd);
        this.description = description;
    }

    /** The descriptor; throws when already closed. */
    public int get() {
        int v = fd.get();
        if (v == CLOSED) {
            throw new IllegalStateException(description + " is closed");
        }
        return v;
    }

    /** The descriptor, or -1 once closed: for a caller that reports a closed one as an errno (EBADF). */
    public int getOrClosed() {
        return fd.get();
    }

    public boolean isOpen() {
        return fd.get() != CLOSED;
    }

    public String description() {
        return description;
    }

    /** Closes once; a second call does nothing. Errors from close(2) are reported, not hidden. */
    @Override
    public void close() throws VfioException {
        int v = fd.getAndSet(CLOSED);
        if (v != CLOSED) {
            Errors.check(UnixNative.close(v), "close", description + ", fd " + v);
        }
    }

    /** Closes without throwing, for cleanup on an exception path. */
    public void closeQuietly(Throwable primary) {
        try {
            close();
        } catch (VfioException e) {
            if (primary != null) {
                primary.addSuppressed(e);
            }
        }
    }

    @Override
    public String toString() {
        int v = fd.get();
        return description + (v == CLOSED ? " (closed)" : " (fd " + v + ")");
    }
}
