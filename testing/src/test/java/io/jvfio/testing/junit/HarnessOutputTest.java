package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What of the guest's console reaches the user's log: bounded, however much the tests printed. */
class HarnessOutputTest {
    private static final int PRINTED = HarnessOutput.ECHOED_CONSOLE_LINES + 5;

    @Test
    void aPassedGuestsConsoleIsEchoedUpToItsCapAndTheRestIsNamed(@TempDir Path out) throws IOException {
        writeSerialLog(out);
        List<String> log = new ArrayList<>();

        new HarnessOutput(log::add).exit(0, out);

        assertEquals(HarnessOutput.ECHOED_CONSOLE_LINES + 1, log.size());
        assertEquals("test line 0", log.get(0));
        assertEquals("[jvfio] and 5 more lines of the guest's console, in " + out.resolve("serial.log"), log.get(log.size() - 1));
    }

    @Test
    void aFailedGuestShowsTheLastFortyLines(@TempDir Path out) throws IOException {
        writeSerialLog(out);
        List<String> log = new ArrayList<>();

        new HarnessOutput(log::add).exit(1, out);

        assertEquals(41, log.size());
        assertEquals("test line " + (PRINTED - 40), log.get(1));
        assertEquals("test line " + (PRINTED - 1), log.get(40));
    }

    /** Init's error is before READY, where the tail of a guest that ran its command does not look. */
    @Test
    void aGuestWhoseInitFailedSaysWhyAndShowsTheBootsEnd(@TempDir Path out) throws IOException {
        // As init prints it: a kernel message may run into its line on the shared console.
        Files.writeString(out.resolve("serial.log"), "[    0.1] booting\n[    1.2] 9pnet: Could not find request transport\n"
                + "[    1.3] random: crng init doneJVFIO-GUEST-ERROR: could not mount the shared directory /tmp/ci\n"
                + "JVFIO-GUEST-EXIT=125\n");
        List<String> log = new ArrayList<>();

        GuestExit exit = new HarnessOutput(log::add).exit(125, out);

        assertEquals("the guest's init failed before the tests: could not mount the shared directory /tmp/ci", exit.reason());
        assertEquals(List.of("[jvfio] the guest's console, its last 3 lines (all of it in " + out.resolve("serial.log") + "):",
                "[    0.1] booting", "[    1.2] 9pnet: Could not find request transport",
                "[    1.3] random: crng init doneJVFIO-GUEST-ERROR: could not mount the shared directory /tmp/ci"), log);
    }

    /** A serial log: boot noise, READY, the tests' lines (one of them not UTF-8), EXIT, shutdown noise. */
    private static void writeSerialLog(Path out) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("serial.log"), StandardCharsets.ISO_8859_1)) {
            w.write("[    0.1] booting\nJVFIO-GUEST-READY\n");
            for (int i = 0; i < PRINTED; i++) {
                w.write("test line " + i + (i == 7 ? " \u00ff\u00fe" : "") + "\n");
            }
            w.write("JVFIO-GUEST-EXIT=0\n[    9.9] reboot: Power down\n");
        }
    }
}
