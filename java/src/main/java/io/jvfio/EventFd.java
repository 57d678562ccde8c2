package io.jvfio;

import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.util.concurrent.TimeUnit;

/**
 * A Linux eventfd: the kernel signals interrupts (MSI, MSI-X, INTx) into it, and the fault-service
 * loop uses one to be told to stop. Non-blocking; {@link #await(int)} waits with poll(2).
 */
public final class EventFd implements AutoCloseable {
    /**
     * The longest one poll of {@link #await} lasts: a close from another thread does not wake a poll,
     * so the wait looks again this often and ends (and the number is closed) within it.
     */
    private static final int POLL_SLICE_MILLIS = 100;

    private final OwnedFd fd;

    private EventFd(int fd) {
        this.fd = new OwnedFd(fd, "eventfd");
    }

    /** A new non-blocking eventfd with counter 0. */
    public static EventFd create() throws VfioException {
        int fd = UnixNative.eventfd(0, UnixConstants.EFD_NONBLOCK);
        return new EventFd(Errors.check(fd, "eventfd", "counter 0"));
    }

    public int fd() {
        return fd.get();
    }

    /**
     * Adds {@code value} to the counter, waking a waiter. The kernel's counter is unsigned: a negative
     * value would add nearly 2^64 (or be refused, -1), so it is refused here.
     */
    public void signal(long value) throws VfioException {
        if (value < 0) {
            throw new IllegalArgumentException("eventfd write(" + fd + "): the value added is 0 or more, not " + value);
        }
        Errors.check((int) fd.call("eventfd write", f -> UnixNative.eventfdWrite(f, value)), "eventfd write", fd.toString());
    }

    /**
     * Reads and resets the counter; 0 when nothing was signalled. A counter above {@link Long#MAX_VALUE}
     * reads as that, and the rest stays for the next read.
     */
    public long tryRead() throws VfioException {
        long v = fd.call("eventfd read", f -> UnixNative.eventfdRead(f));
        if (v == -Errno.EAGAIN) {
            return 0;
        }
        return Errors.check(v, "eventfd read", fd.toString());
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: for ever) for a signal, then reads and resets the
     * counter; returns 0 on time-out. A close from another thread ends the wait within a tenth of a
     * second with an {@link IllegalStateException}, as any use after close.
     */
    public long await(int timeoutMillis) throws VfioException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(timeoutMillis, 0));
        while (true) {
            long left = deadline - System.nanoTime();
            int slice = timeoutMillis < 0 ? POLL_SLICE_MILLIS
                    : (int) Math.min(POLL_SLICE_MILLIS, Math.max(0, (left + 999_999) / 1_000_000)); // rounded up
            // A signal does not end a poll: the shim polls again for what is left of the slice.
            int revents = (int) fd.call("poll", f -> UnixNative.poll(f, UnixConstants.POLLIN, slice));
            Errors.check(revents, "poll", fd.toString());
            if (revents != 0) {
                long value = tryRead();
                if (value != 0) {
                    return value;
                }
                // Another reader of this eventfd took the signal first: wait on for what is left.
            }
            if (timeoutMillis >= 0 && deadline - System.nanoTime() <= 0) {
                return 0;
            }
        }
    }

    @Override
    public void close() throws VfioException {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
