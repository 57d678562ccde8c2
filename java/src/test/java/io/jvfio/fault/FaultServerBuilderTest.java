package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvfio.memory.DmaBuffer;
import org.junit.jupiter.api.Test;

/** What a fault server refuses before it opens anything in the kernel. */
class FaultServerBuilderTest {
    @Test
    void badMemoryAndIovasAreRefusedUpFront() throws Exception {
        assertEquals("guest memory needs a positive size, not 0",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forMock().memory(0)).getMessage());
        assertEquals("guest memory needs a page-aligned IOVA, not 0x1234",
                assertThrows(IllegalArgumentException.class, () -> FaultServer.forMock().iova(0x1234)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FaultServer.forMock().iova(-4096));
        DmaBuffer closed = DmaBuffer.allocate(4096);
        closed.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaultServer.forMock().memory(closed).open());
        assertEquals("the guest memory given for the iommufd test mock (" + closed + ") is closed", e.getMessage());
    }
}
