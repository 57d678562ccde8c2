package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    /** A run outside a Maven project left a /tmp/jvfio-guest-* behind each time, passed or not. */
    @Test
    void theTemporaryDirectoryGoesAwayAfterRunsThatWentWell() throws Exception {
        TemporaryOutputs outputs = new TemporaryOutputs("jvfio-guest-test-");
        Path dir = outputs.directory();
        Path run = Files.createDirectories(dir.resolve("io.example.EduTest"));
        Files.writeString(run.resolve("serial.log"), "booted\n");
        Path outside = Files.writeString(project.resolve("outside"), "not ours\n");
        Files.createSymbolicLink(run.resolve("link"), outside);
        outputs.removeUnlessKept();
        assertFalse(Files.exists(dir), dir + " is removed");
        assertTrue(Files.exists(outside), "a link is removed, not what it leads to");
    }

    @Test
    void aRunThatWentWrongKeepsTheDirectoryItsFailuresName() throws Exception {
        TemporaryOutputs outputs = new TemporaryOutputs("jvfio-guest-test-");
        Path dir = outputs.directory();
        Files.writeString(dir.resolve("serial.log"), "kernel panic\n");
        outputs.keep();
        outputs.removeUnlessKept();
        assertTrue(Files.exists(dir.resolve("serial.log")), dir + " is kept");
        Files.delete(dir.resolve("serial.log"));
        outputs.removeUnlessKept();
        assertFalse(Files.exists(dir), "an empty one goes anyway (the failed runs wrote elsewhere)");
    }

    /** A JVM ending mid-run (a surefire timeout, a TERM) keeps what the run wrote so far. */
    @Test
    void aRunStillGoingWhenTheJvmEndsKeepsTheDirectory() throws Exception {
        TemporaryOutputs outputs = new TemporaryOutputs("jvfio-guest-test-");
        Path dir = outputs.directory();
        outputs.runStarted();
        Files.writeString(dir.resolve("serial.log"), "booting\n");
        outputs.removeUnlessKept();
        assertTrue(Files.exists(dir.resolve("serial.log")), dir + " is kept while a run goes on");
        outputs.runEnded(true);
        outputs.removeUnlessKept();
        assertFalse(Files.exists(dir), "and removed once it went well");
    }

    /** What decides whether the outputs stay: a failed test, one left running, or a run that ended badly; a skip does not. */
    @Test
    void aRunWentWellWhenNothingFailedAndNothingWasLeftRunning() {
        String cls = "[engine:junit-jupiter]/[class:a.B]";
        GuestResult passed = new GuestResult(cls, "B", GuestResult.Status.PASSED, null, List.of());
        GuestResult skipped = new GuestResult(cls + "/[method:s()]", "s()", GuestResult.Status.SKIPPED, "no device", List.of());
        Path none = Path.of("unused");
        assertTrue(new GuestReplay(new GuestResults(List.of(passed, skipped), true), none, none, Optional.empty(), () -> { }).wentWell());
        assertFalse(new GuestReplay(new GuestResults(List.of(passed), true), none, none, Optional.of("exit status 1"), () -> { }).wentWell());
        for (GuestResult.Status bad : List.of(GuestResult.Status.FAILED, GuestResult.Status.STARTED)) {
            GuestResult m = new GuestResult(cls + "/[method:m()]", "m()", bad, null, List.of());
            assertFalse(new GuestReplay(new GuestResults(List.of(passed, m), true), none, none, Optional.empty(), () -> { }).wentWell(), bad.name());
        }
    }
}
