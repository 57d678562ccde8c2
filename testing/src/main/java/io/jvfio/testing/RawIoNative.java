package io.jvfio.testing;

import java.nio.ByteBuffer;

/** Natives of native/testing/raw_io.c; {@link RawIo} is their public face. Natives only (JNI_OnLoad registers them). */
final class RawIoNative {
    private RawIoNative() {}

    static native int noop(int value);

    static native long read(int fd, long address, int length);

    static native long write(int fd, long address, int length);

    static native long address(ByteBuffer directBuffer);
}
