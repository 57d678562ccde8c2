package io.jvfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.NativeLibrary;
import io.jvfio.internal.UnixNative;
import org.junit.jupiter.api.Test;

class NativeLibraryTest {
    @Test
    void loadsTheBundledLibraryAndChecksItsAbi() {
        assertNull(NativeLibrary.unavailabilityCause());
        assertTrue(NativeLibrary.isAvailable());
        assertEquals(3, UnixNative.abiVersion());
    }

    @Test
    void thePageSizeComesFromTheCLibrary() {
        assertEquals(4096, io.jvfio.internal.UnixConstants.PAGE_SIZE);
    }
}
