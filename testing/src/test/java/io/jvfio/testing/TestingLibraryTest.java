package io.jvfio.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.EventFd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** What runs on any Linux host: the testing library loads beside the product's and works on its descriptors. */
class TestingLibraryTest {
    private static final long EAGAIN = 11; // asm-generic/errno-base.h

    @Test
    void rawIoReadsAndWritesTheLibrarysDescriptors() throws Exception {
        assertEquals(42, RawIo.noop(42));
        ByteBuffer counter = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        try (EventFd e = EventFd.create()) {
            assertEquals(-EAGAIN, RawIo.read(e.fd(), RawIo.address(counter), 8), "nothing signalled yet");
            counter.putLong(0, 5);
            assertEquals(8, RawIo.write(e.fd(), RawIo.address(counter), 8));
            assertEquals(5, e.tryRead());
        }
    }

    @Test
    void theMockComesWithItsApertureAndRefusesUseBeforeAServerAttachesIt() {
        assertTrue(MockIommuDevice.aperture().length() > 0);
        MockFaultSource source = new MockFaultSource();
        assertEquals(MockIommuDevice.aperture().start(), source.defaultIova());
        IllegalStateException e = assertThrows(IllegalStateException.class, source::device);
        assertEquals("the iommufd test mock is not attached to a fault server yet", e.getMessage());
    }
}
