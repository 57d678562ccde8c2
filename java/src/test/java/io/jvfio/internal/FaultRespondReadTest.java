package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * The fault loop's one crossing per batch, FaultNative.respondRead, on the host: an eventfd stands in
 * for the fault fd (a write of 8 bytes adds to its counter, a read takes it), so both halves and the
 * short-write path run without the kernel's fault queue.
 */
class FaultRespondReadTest {
    private final ByteBuffer out = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer in = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final ByteBuffer status = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());

    private long respondRead(int fd, long value) {
        out.putLong(0, value);
        return FaultNative.respondRead(fd, UnixNative.address(out), 8, UnixNative.address(in), 8, UnixNative.address(status));
    }

    @Test
    void writesThenReadsAndSaysWhenTheWriteEnded() {
        int fd = UnixNative.eventfd(0, UnixConstants.EFD_NONBLOCK);
        assertTrue(fd >= 0);
        try {
            long before = System.nanoTime();
            assertEquals(8, respondRead(fd, 3), "the read after the write");
            long after = System.nanoTime();
            assertEquals(3, in.getLong(0), "what the write put there");
            assertEquals(8, status.getLong(0), "bytes written");
            long written = status.getLong(8);
            assertTrue(before <= written && written <= after, "the write's time is on System.nanoTime's clock: " + written);
            assertEquals(-Errno.EAGAIN, FaultNative.read(fd, UnixNative.address(in), 8), "nothing left after the read");
        } finally {
            UnixNative.close(fd);
        }
    }

    @Test
    void aWriteTheKernelRefusesIsReportedAndNothingIsRead() {
        int fd = UnixNative.eventfd(5, UnixConstants.EFD_NONBLOCK);
        assertTrue(fd >= 0);
        try {
            // eventfd refuses to add 2^64 - 1.
            assertEquals(FaultConstants.NOT_READ, respondRead(fd, -1));
            assertEquals(-Errno.EINVAL, status.getLong(0));
            assertEquals(8, FaultNative.read(fd, UnixNative.address(in), 8), "the counter was left to read");
            assertEquals(5, in.getLong(0));
        } finally {
            UnixNative.close(fd);
        }
    }
}
