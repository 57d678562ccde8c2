package io.jvfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.UnixNative;
import io.jvfio.memory.DmaBuffer;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {
    @Test
    void loadsTheBundledLibraryAndChecksItsAbi() {
        assertNull(Jvfio.unavailabilityCause());
        assertTrue(Jvfio.isAvailable());
        assertEquals("jvfio-linux-" + (System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch")),
                Jvfio.nativeLibraryName());
        assertEquals(5, UnixNative.abiVersion());
    }

    @Test
    void thePageSizeComesFromTheCLibrary() {
        assertEquals(4096, DmaBuffer.pageSize());
    }
}
