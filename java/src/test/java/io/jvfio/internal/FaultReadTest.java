package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FaultNative.read's answer when a read finds nothing, on the host. Kernels before "iommufd: Reject
 * invalid read count" return 0, not -EINVAL, when the first pending group does not fit the buffer,
 * while poll keeps saying records wait; /dev/null behaves the same way (reads return 0, poll says
 * readable), a FIFO with no writer is a queue with nothing pending (reads return 0, poll says not).
 */
class FaultReadTest {
    private final ByteBuffer records = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());

    private long read(int fd) {
        return FaultNative.read(fd, UnixNative.address(records), records.capacity());
    }

    private static int open(String path) {
        int fd = UnixNative.open(path, UnixConstants.O_RDONLY | UnixConstants.O_NONBLOCK);
        assertTrue(fd >= 0, path + ": errno " + -fd);
        return fd;
    }

    @Test
    void emptyReadsWhilePollSaysRecordsWaitAreAGroupTooLarge() {
        int fd = open("/dev/null");
        try {
            assertEquals(-Errno.EINVAL, read(fd), "what newer kernels answer for a group that does not fit");
        } finally {
            UnixNative.close(fd);
        }
    }

    @Test
    void anEmptyReadWithNothingWaitingIsNothingPending(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor(), "mkfifo");
        assertTrue(Files.exists(fifo));
        int fd = open(fifo.toString());
        try {
            assertEquals(0, read(fd));
        } finally {
            UnixNative.close(fd);
        }
    }

    @Test
    void recordsAreReadAsTheKernelHandsThemOut() {
        int fd = UnixNative.eventfd(7, UnixConstants.EFD_NONBLOCK);
        assertTrue(fd >= 0);
        try {
            assertEquals(8, read(fd));
            assertEquals(7, records.getLong(0));
            assertEquals(-Errno.EAGAIN, read(fd), "an error is returned as the kernel's errno");
        } finally {
            UnixNative.close(fd);
        }
    }
}
