package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvfio.testing.junit.VfioGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * One pass, one deliberate failure, one skip, all decided in the guest: jvfio's CI runs this class
 * and checks that the host's report shows each as such (scripts/example-test.sh).
 */
@VfioGuest
class HostSeesGuestResultsTest {
    @Test
    void passes() throws Exception {
        assertEquals(true, Files.readString(Path.of("/proc/cmdline")).contains("jvfio.run="), "not in a jvfio guest");
    }

    @Test
    void failsOnPurpose() throws Exception {
        String kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        assertEquals("no such kernel", kernel, "deliberate failure in the guest running " + kernel);
    }

    @Test
    void skipsOnPurpose() {
        assumeTrue(false, "deliberate skip in the guest");
    }
}
