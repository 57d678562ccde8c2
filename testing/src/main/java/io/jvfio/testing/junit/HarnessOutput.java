package io.jvfio.testing.junit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * What guest-exec.sh prints, line by line, wherever it runs: each line goes on to the user's log, and
 * the harness's last error, else its last word (e.g. that a JVM in the guest crashed), is the reason a
 * failed guest gives.
 */
final class HarnessOutput implements Consumer<String> {
    /** How much of the guest's console a failed run shows. */
    private static final int FAILED_CONSOLE_LINES = 40;
    /** How much of a passed guest's console goes into the user's log; all of it stays in the serial log. */
    static final int ECHOED_CONSOLE_LINES = 10_000;
    /** The line the guest's init prints with the command's exit status. */
    private static final String EXIT_MARK = "JVFIO-GUEST-EXIT=";
    /** The line the guest's init prints once the host's shares are mounted, before the command runs. */
    private static final String READY_MARK = "JVFIO-GUEST-READY";
    /** The start of a line on which the guest's init says what failed before the command could run. */
    private static final String GUEST_ERROR_MARK = "JVFIO-GUEST-ERROR:";

    private final Consumer<String> log;
    private String error;
    private String last = "the harness said nothing";

    HarnessOutput(Consumer<String> log) {
        this.log = log;
    }

    @Override
    public void accept(String line) {
        log.accept(line);
        if (line.startsWith("[jvfio ") && line.contains("] ")) {
            last = line.substring(line.indexOf("] ") + 2);
            error = last.startsWith("error: ") ? last.substring("error: ".length()) : error;
        }
    }

    String reason() {
        return error != null ? error : last;
    }

    /**
     * How the guest ended; after a clean exit the user's log also gets what the command printed in the
     * guest (up to {@link #ECHOED_CONSOLE_LINES} lines), after a failure its last lines.
     */
    GuestExit exit(int status, Path out) throws IOException {
        Path serial = out.resolve("serial.log");
        Deque<String> tail = new ArrayDeque<>();
        long lines = 0;
        boolean reported = false; // the guest's init printed the command's exit status
        boolean ready = false; // ... after READY: the command ran
        String guestError = null; // init's first "JVFIO-GUEST-ERROR: could not mount ..."
        if (Files.isRegularFile(serial)) {
            // Line by line, not the whole file: a test that logs in a loop can leave gigabytes. The
            // console is the command's output between the guest's READY and EXIT lines.
            try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(serial), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null && !reported; line = r.readLine()) {
                    reported = line.contains(EXIT_MARK);
                    if (reported) {
                        break;
                    }
                    if (!ready && guestError == null && line.contains(GUEST_ERROR_MARK)) {
                        // contains: a kernel message on the same console may have begun the line
                        guestError = line.substring(line.indexOf(GUEST_ERROR_MARK) + GUEST_ERROR_MARK.length()).trim();
                    }
                    if (ready) {
                        lines++;
                    }
                    if (ready && status == 0 && lines <= ECHOED_CONSOLE_LINES) {
                        log.accept(line);
                    } else if (status != 0) {
                        // Until READY the boot's lines: a guest whose init failed shows why, after it the command's.
                        if (line.contains(READY_MARK) && !ready) {
                            tail.clear();
                        } else {
                            tail.addLast(line);
                        }
                        if (tail.size() > FAILED_CONSOLE_LINES) {
                            tail.removeFirst();
                        }
                    }
                    ready |= line.contains(READY_MARK);
                }
            }
        }
        if (status == 0 && lines > ECHOED_CONSOLE_LINES) {
            log.accept("[jvfio] and " + (lines - ECHOED_CONSOLE_LINES) + " more lines of the guest's console, in " + serial);
        } else if (status != 0 && reported && !tail.isEmpty()) {
            // Why a JVM in the guest ended before any test (a static initializer that threw) is only there.
            // (A guest that reported no status had guest-exec.sh print its console's end already.)
            log.accept("[jvfio] the guest's console, its last " + tail.size() + " lines (all of it in " + serial + "):");
            tail.forEach(log);
        }
        if (status != 0 && guestError != null) {
            return new GuestExit(status, "the guest's init failed before the tests: " + guestError, serial);
        }
        return new GuestExit(status, reason(), serial);
    }
}
