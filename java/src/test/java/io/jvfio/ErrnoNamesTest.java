package io.jvfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.UnixConstants;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java errno table against the numbers the shim was compiled with, and the message it builds. */
class ErrnoNamesTest {
    @Test
    void everyErrnoTheShimKnowsHasItsNameInTheTable() {
        int checked = 0;
        for (Map.Entry<String, Long> c : UnixConstants.C.asMap().entrySet()) {
            if (c.getKey().matches("E[A-Z0-9]+") && !c.getKey().startsWith("EPOLL")) {
                assertEquals(c.getKey(), ErrnoNames.name(c.getValue().intValue()));
                checked++;
            }
        }
        assertTrue(checked >= 20, "only " + checked + " errno constants in the shim's table");
    }

    @Test
    void messagesNameTheErrnoAndDescribeIt() {
        VfioException e = VfioException.of("VFIO_DEVICE_GET_REGION_INFO", "device 0000:00:04.0, index 7", 22, null);
        assertEquals("VFIO_DEVICE_GET_REGION_INFO(device 0000:00:04.0, index 7): EINVAL (Invalid argument)", e.getMessage());
        assertEquals("EINVAL", e.errnoName());
        assertEquals("errno 524 (Unknown error)", ErrnoNames.describe(524), "the kernel's internal ENOTSUPP has no C name");
        assertTrue(VfioException.of("open", "/dev/vfio/7", 16, null) instanceof VfioBusyException);
    }
}
