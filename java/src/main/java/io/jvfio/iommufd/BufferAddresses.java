package io.jvfio.iommufd;

import io.jvfio.internal.UnixNative;
import java.nio.ByteBuffer;

/**
 * The native addresses of the last two direct buffers asked for: a fault loop passes the same few
 * buffers on every call, two of them in turn for its records, and each lookup of a new one is a
 * crossing of its own.
 */
final class BufferAddresses {
    private ByteBuffer last;
    private long lastAddress;
    private ByteBuffer before;
    private long beforeAddress;

    long of(ByteBuffer buffer) {
        if (buffer != last) {
            ByteBuffer older = last;
            long olderAddress = lastAddress;
            last = buffer;
            lastAddress = buffer == before ? beforeAddress : UnixNative.address(buffer);
            before = older;
            beforeAddress = olderAddress;
        }
        return lastAddress;
    }
}
