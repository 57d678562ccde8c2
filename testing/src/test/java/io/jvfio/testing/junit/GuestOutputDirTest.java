package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the guests' logs and results go. */
class GuestOutputDirTest {
    @TempDir
    Path project;

    @Test
    void aMavenProjectKeepsThemUnderTarget() throws Exception {
        Files.createDirectory(project.resolve("target"));
        assertEquals(project.resolve("target/jvfio-guest"), VfioGuestExtension.outRoot(Optional.empty(), project));
        assertEquals(Path.of("/elsewhere/out"), VfioGuestExtension.outRoot(Optional.of("/elsewhere/out"), project),
                "the configuration parameter wins");
    }

    /** A shared /tmp/jvfio-guest let two runs at once read each other's results, or another user's files fail a run. */
    @Test
    void withoutATargetDirectoryARunHasATemporaryDirectoryOfItsOwn() throws Exception {
        Path own = VfioGuestExtension.outRoot(Optional.empty(), project);
        assertNotEquals(Path.of(System.getProperty("java.io.tmpdir"), "jvfio-guest"), own);
        assertTrue(own.getFileName().toString().startsWith("jvfio-guest-"), own.toString());
        assertTrue(Files.isDirectory(own) && Files.isWritable(own), own + " is made");
        assertEquals(own, VfioGuestExtension.outRoot(Optional.empty(), project), "and kept for the run");
    }
}
