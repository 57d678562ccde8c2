package io.jvfio.testing;

import java.nio.ByteBuffer;

/**
 * read(2) and write(2) on a raw descriptor, called as the library's shim calls them (one JNI call,
 * primitives and an address, {@code -errno} on failure), and a call that does nothing. For the
 * binding benchmark, which measures what crossing into C costs, and for tests that hand the kernel
 * I/O the library never issues (a short write to a fault fd, say).
 */
public final class RawIo {
    static {
        TestingLibrary.ensureAvailability();
    }

    private RawIo() {}

    /** Returns its argument: the cost of a bare JNI call (the C symbol {@code jvfio_noop} does the same for other bindings). */
    public static int noop(int value) {
        return RawIoNative.noop(value);
    }

    /** Reads up to {@code length} bytes to {@code address}: the bytes read, or -errno. */
    public static long read(int fd, long address, int length) {
        return RawIoNative.read(fd, address, length);
    }

    /** Writes {@code length} bytes from {@code address}: the bytes written, or -errno. */
    public static long write(int fd, long address, int length) {
        return RawIoNative.write(fd, address, length);
    }

    /** The address of a direct buffer's memory. */
    public static long address(ByteBuffer directBuffer) {
        if (!directBuffer.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer: " + directBuffer);
        }
        return RawIoNative.address(directBuffer);
    }
}
