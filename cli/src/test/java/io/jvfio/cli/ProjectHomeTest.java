package io.jvfio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkout these tests run in is a jvfio home, with the guest runner where `jvfio demo` starts it. */
class ProjectHomeTest {
    /** Maven runs the tests in the cli module; the checkout is its parent. */
    private static final Path CHECKOUT = Path.of(System.getProperty("user.dir")).getParent();

    @Test
    void theCheckoutIsAHome() {
        assertEquals(CHECKOUT, ProjectHome.require(CHECKOUT));
    }

    @Test
    void theGuestRunnerIsAnExecutableScriptOfTheCheckout() {
        Path script = ProjectHome.guestExec(CHECKOUT);
        assertTrue(Files.isExecutable(script), script + " is missing or not executable");
    }

    @Test
    void aDirectoryWithoutTheScriptsIsNoHome(@TempDir Path dir) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProjectHome.require(dir));
        assertTrue(e.getMessage().contains("scripts/guest/guest-exec.sh"), e.getMessage());
    }
}
