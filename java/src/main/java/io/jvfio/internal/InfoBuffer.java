package io.jvfio.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A little-endian direct buffer for one info ioctl. Info calls are not on a hot path, so each call
 * gets its own; the argsz protocol may ask for a bigger one, see {@link #withCapacity}.
 */
public final class InfoBuffer {
    private final ByteBuffer buffer;
    private final long address;

    public InfoBuffer(int capacity) {
        this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
        this.address = UnixNative.address(buffer);
    }

    public long address() {
        return address;
    }

    public int capacity() {
        return buffer.capacity();
    }

    /** The first {@code length} bytes as an array (for decoders that work on bytes). */
    public byte[] bytes(int length) {
        byte[] out = new byte[Math.min(length, buffer.capacity())];
        buffer.get(0, out);
        return out;
    }

    public int getInt(int offset) {
        return buffer.getInt(offset);
    }

    public long getLong(int offset) {
        return buffer.getLong(offset);
    }

    public void putInt(int offset, int value) {
        buffer.putInt(offset, value);
    }

    public void putLong(int offset, long value) {
        buffer.putLong(offset, value);
    }

    /** Calls an argsz-protocol native, growing the buffer until the kernel's answer fits. */
    public static <E extends Exception> InfoBuffer withCapacity(int initial, ArgszCall<E> call) throws E {
        InfoBuffer buf = new InfoBuffer(initial);
        for (int attempt = 0; attempt < 4; attempt++) {
            int needed = call.apply(buf);
            if (needed <= buf.capacity()) {
                return buf;
            }
            buf = new InfoBuffer(needed);
        }
        return buf;
    }

    /** One argsz call: returns the size the kernel asked for, or throws. */
    @FunctionalInterface
    public interface ArgszCall<E extends Exception> {
        int apply(InfoBuffer buffer) throws E;
    }
}
