package io.jvfio;

import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;

/**
 * A Linux eventfd: the kernel signals interrupts (MSI, MSI-X, INTx) into it, and the fault-service
 * loop uses one to be told to stop. Non-blocking; {@link #await(int)} waits with poll(2).
 */
public final class EventFd implements AutoCloseable {
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

    /** Adds {@code value} to the counter, waking a waiter. */
    public void signal(long value) throws VfioException {
        Errors.check((int) fd.call(f -> UnixNative.eventfdWrite(f, value)), "eventfd write", fd.toString());
    }

    /** Reads and resets the counter; 0 when nothing was signalled. */
    public long tryRead() throws VfioException {
        long v = fd.call(f -> UnixNative.eventfdRead(f));
        if (v == -Errno.EAGAIN) {
            return 0;
        }
        return Errors.check(v, "eventfd read", fd.toString());
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: for ever) for a signal, then reads and resets the
     * counter; returns 0 on time-out.
     */
    public long await(int timeoutMillis) throws VfioException {
        // A signal does not end the wait: the shim polls again for what is left of the timeout.
        int revents = (int) fd.call(f -> UnixNative.poll(f, UnixConstants.POLLIN, timeoutMillis));
        Errors.check(revents, "poll", fd.toString());
        return revents == 0 ? 0 : tryRead();
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
