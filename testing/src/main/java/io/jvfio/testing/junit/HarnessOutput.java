package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What guest-exec.sh prints, line by line, wherever it runs: each line goes on to the user's log, and
 * the harness's last error, else its last word (e.g. that a JVM in the guest crashed), is the reason a
 * failed guest gives.
 */
final class HarnessOutput implements Consumer<String> {
    /** How much of the guest's console a failed run shows. */
    private static final int FAILED_CONSOLE_LINES = 40;
    /** The line the guest's init prints with the command's exit status. */
    private static final String EXIT_MARK = "JVFIO-GUEST-EXIT=";

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

    /** How the guest ended; after a clean exit the user's log also gets what the command printed in the guest. */
    GuestExit exit(int status, Path out) throws IOException {
        Path serial = out.resolve("serial.log");
        String text = Files.isRegularFile(serial) ? new String(Files.readAllBytes(serial), StandardCharsets.UTF_8) : "";
        List<String> console = guestConsole(text);
        if (status == 0) {
            console.forEach(log);
        } else if (!console.isEmpty() && text.contains(EXIT_MARK)) {
            // Why a JVM in the guest ended before any test (a static initializer that threw) is only there.
            // (A guest that reported no status had guest-exec.sh print its console's end already.)
            List<String> tail = console.subList(Math.max(0, console.size() - FAILED_CONSOLE_LINES), console.size());
            log.accept("[jvfio] the guest's console, its last " + tail.size() + " lines (all of it in " + serial + "):");
            tail.forEach(log);
        }
        return new GuestExit(status, reason(), serial);
    }

    /** What the command in the guest printed: the serial log between the guest's READY and EXIT lines. */
    private static List<String> guestConsole(String serial) {
        List<String> console = new ArrayList<>();
        boolean in = false;
        for (String line : serial.lines().toList()) {
            if (line.contains(EXIT_MARK)) {
                break;
            }
            if (in) {
                console.add(line);
            }
            in |= line.contains("JVFIO-GUEST-READY");
        }
        return console;
    }
}
