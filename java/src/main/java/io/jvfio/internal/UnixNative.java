package io.jvfio.internal;

import java.nio.ByteBuffer;

/**
 * Natives of native/src/unix.c and the unix_*.c files beside it: file descriptors, mmap, memfd,
 * eventfd, epoll, limits. Every call returns a value {@code >= 0} or {@code -errno};
 * {@link Errors} turns the latter into exceptions.
 * Natives classes hold nothing but natives: JNI_OnLoad initializes them while it registers, so a
 * static initializer here would call a native before it exists. Constants live in {@link UnixConstants}.
 */
public final class UnixNative {
    private UnixNative() {}

    public static native int abiVersion();

    /** The constants table, see {@link NativeConstants}. */
    public static native String constants();

    /** open(2) with O_CLOEXEC added. */
    public static native int open(String path, int flags);

    public static native int close(int fd);

    public static native long read(int fd, long address, int length);

    public static native long write(int fd, long address, int length);

    public static native long pread(int fd, long address, int length, long offset);

    public static native long pwrite(int fd, long address, int length, long offset);

    /** mmap(2) at a kernel-chosen address; returns the address or -errno. */
    public static native long mmap(long length, int prot, int flags, int fd, long offset);

    public static native int munmap(long address, long length);

    /**
     * Replaces the memory at {@code [address, address + length)} with a mapping of an empty memfd:
     * the memory is released but the addresses stay taken, and any access raises SIGBUS (an
     * InternalError through a ByteBuffer). Returns 0 or -errno; munmap frees the range for good.
     */
    public static native int mmapTombstone(long address, long length);

    public static native int madvise(long address, long length, int advice);

    public static native int eventfd(int initialValue, int flags);

    /** Reads and resets the counter; -EAGAIN when it is zero on a non-blocking eventfd. */
    public static native long eventfdRead(int fd);

    public static native int eventfdWrite(int fd, long value);

    public static native int memfdCreate(String name, int flags);

    public static native int ftruncate(int fd, long length);

    /** poll(2) on one descriptor: the revents, 0 on time-out (a signal does not end the wait early). */
    public static native int poll(int fd, int events, int timeoutMillis);

    public static native int epollCreate();

    public static native int epollAdd(int epfd, int fd, int events);

    public static native int epollRemove(int epfd, int fd);

    /** Stores up to {@code max} (fd, events) int pairs at {@code address}; returns how many. */
    public static native int epollWait(int epfd, long address, int max, int timeoutMillis);

    /** RLIMIT_MEMLOCK's soft limit in bytes; Long.MAX_VALUE for unlimited. */
    public static native long memlockLimit();

    /** ioctl(2) with a plain integer argument, for probes. */
    public static native long ioctl(int fd, long request, long argument);

    /** A direct buffer over native memory that something else owns. */
    public static native ByteBuffer wrap(long address, long length);

    /** The address of a direct buffer. */
    public static native long address(ByteBuffer directBuffer);
}
