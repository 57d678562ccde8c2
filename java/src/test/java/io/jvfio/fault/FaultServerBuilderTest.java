package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.DmaBuffer;
import org.junit.jupiter.api.Test;

/** What a fault server refuses before it opens anything in the kernel. */
class FaultServerBuilderTest {
    /** A source the server refuses before attaching it. */
    private static final FaultSource UNUSED = new FaultSource() {
        @Override
        public long defaultIova() {
            throw new AssertionError("never asked");
        }

        @Override
        public void attach(IoAddressSpace ioas, FaultQueue queue) {
            throw new AssertionError("never attached");
        }

        @Override
        public void close() {
            throw new AssertionError("never closed");
        }

        @Override
        public String toString() {
            return "the unused source";
        }
    };

    @Test
    void badMemoryAndIovasAreRefusedUpFront() throws Exception {
        assertEquals("guest memory needs a positive size, not 0",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).memory(0)).getMessage());
        assertEquals("guest memory needs a page-aligned IOVA, not 0x1234",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).iova(0x1234)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).iova(-4096));
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).faultAround(3 * 4096));
        DmaBuffer closed = DmaBuffer.allocate(4096);
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultServer.forSource(UNUSED).memory(closed).open());
        assertEquals("the guest memory given for the unused source (" + closed + ") is closed", e.getMessage());
    }
}
