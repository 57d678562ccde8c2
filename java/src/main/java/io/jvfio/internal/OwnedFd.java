package io.jvfio.internal;

import io.jvfio.VfioException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One file descriptor with one owner: {@link #close()} is idempotent and thread-safe, and use after
 * close fails with a clear message instead of touching a recycled descriptor number.
 * <p>
 * A system call made through {@link #call} (or between {@link #acquire()} and {@link #release()})
 * counts as a use: a close from another thread meanwhile marks the descriptor closed at once, so
 * no new use starts, but the number is closed only when the last use in flight ends. Until then
 * the kernel cannot give the number to a file opened elsewhere, which that use would then read or
 * write. {@link #get()} hands out the bare number, which no count protects: for callers that pass
 * it on (an fd to register elsewhere) and own the race.
 */
public final class OwnedFd implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OwnedFd.class);
    /** In {@link #state}: the descriptor is closed, or will be when its uses end. */
    private static final int CLOSED = 1;
    /** In {@link #state}: one use in flight. */
    private static final int USE = 2;

    private final int fd;
    /** {@link #CLOSED} or not, plus {@link #USE} per use in flight. */
    private final AtomicInteger state = new AtomicInteger();
    private final String description;

    /** Takes ownership of {@code fd}; {@code description} names it in errors, e.g. "group 7". */
    public OwnedFd(int fd, String description) {
        if (fd < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + fd + " (" + description + ")");
        }
        this.fd = fd;
        this.description = description;
    }

    /** The descriptor, with no use counted (see the class comment); throws when already closed. */
    public int get() {
        if ((state.get() & CLOSED) != 0) {
            throw closed();
        }
        return fd;
    }

    private IllegalStateException closed() {
        return new IllegalStateException(description + " is closed");
    }

    /** What a call for {@code operation} on a closed descriptor throws: both named. */
    private IllegalStateException closed(String operation) {
        return new IllegalStateException("cannot " + operation + ": " + description + " is closed");
    }

    /** Starts a use and returns the descriptor; throws when closed. End it with {@link #release()}. */
    public int acquire() {
        int fdOrClosed = tryAcquire();
        if (fdOrClosed < 0) {
            throw closed();
        }
        return fdOrClosed;
    }

    /** Starts a use and returns the descriptor, or returns -1 when closed (and starts nothing). */
    public int tryAcquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return -1;
            }
            if (state.compareAndSet(s, s + USE)) {
                return fd;
            }
        }
    }

    /** Ends a use; the last use after a close closes the descriptor. */
    public void release() {
        if (state.addAndGet(-USE) == CLOSED) {
            int r = UnixNative.close(fd);
            if (r < 0) {
                LOG.warn("close of {} (fd {}) after its last call in flight failed: {}", description, fd,
                        Errors.failure("close", description, -r).getMessage());
            }
        }
    }

    /**
     * {@code syscall} as one use, or {@code whenClosed} without calling it once the descriptor is
     * closed: for paths that answer with errnos rather than throw (a fault path, a clean-up).
     */
    public long tryCall(IntToLongFunction syscall, long whenClosed) {
        int d = tryAcquire();
        if (d < 0) {
            return whenClosed;
        }
        try {
            return syscall.applyAsLong(d);
        } finally {
            release();
        }
    }

    /**
     * {@code syscall} for {@code operation} (an ioctl's name, "pread"...) on the descriptor, as one use:
     * its result (-errno or not, as it returns); refused naming the operation when closed.
     */
    public long call(String operation, IntToLongFunction syscall) {
        int d = tryAcquire();
        if (d < 0) {
            throw closed(operation);
        }
        try {
            return syscall.applyAsLong(d);
        } finally {
            release();
        }
    }

    public boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    public String description() {
        return description;
    }

    /**
     * Closes once; a second call does nothing. Errors from close(2) are reported, not hidden; when a
     * use is in flight, the last one closes the number and logs an error instead.
     */
    @Override
    public void close() throws VfioException {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    Errors.check(UnixNative.close(fd), "close", description + ", fd " + fd);
                }
                return;
            }
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
        return description + (isOpen() ? " (fd " + fd + ")" : " (closed)");
    }
}
