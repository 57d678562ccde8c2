package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.it.GuestCli;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** `jvfio serve --mock` against the kernel's fault mock: every page request answered, the exit status says how. */
@MockIommuGuest
class ServeTest {
    @Test
    void aBurstInsideGuestMemoryIsAllAnsweredSuccessAndExitsZero() {
        GuestCli.Result r = GuestCli.run("serve", "--mock", "--memory", "16M", "--burst", "5000", "--interval", "0.2");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("served 5,000 faults in 5,000 groups: 5,000 success, 0 invalid"), r.toString());
        assertTrue(r.out().contains("4,096 pages mapped"), "16 MiB is 4,096 pages, each faulted once or more: " + r);
    }

    @Test
    void faultsOutsideMemoryAreRefusedAndExitFourWhilePinnedMemoryIsNeverFaultedOn() {
        GuestCli.Result r = GuestCli.run("serve", "--mock", "--memory", "4M", "--pin", "0+64K", "--burst", "1024", "--outside", "10");
        assertEquals(4, r.status(), r.toString());
        assertTrue(r.out().contains("served 1,034 faults in 1,034 groups: 1,024 success, 10 invalid"), r.toString());
        assertTrue(r.out().contains("1,024 pages mapped, 10 faults outside guest memory, 0 in pinned ranges"),
                "16 pages pinned, the other 1,008 faulted in: " + r);
    }

    @Test
    void rejectAllAnswersEverythingInvalid() {
        GuestCli.Result r = GuestCli.run("serve", "--mock", "--policy", "reject-all", "--burst", "100");
        assertEquals(4, r.status(), r.toString());
        assertTrue(r.out().contains("0 success, 100 invalid"), r.toString());
    }

    @Test
    void ctrlCClosesOnTheNormalPathPrintsTheSummaryAndExitsZero() throws Exception {
        ctrlCStops(); // no --duration: serve runs until Ctrl-C
    }

    @Test
    void ctrlCStopsADurationTooLongForALong() throws Exception {
        // 1e10 s is more nanoseconds than a long holds: it once made a deadline that wrapped, and serve stopped at once.
        ctrlCStops("--duration", "1e10");
    }

    /** Starts `serve --mock`, waits for its first statistics line, sends SIGINT: serve must answer, summarise, exit 0. */
    private static void ctrlCStops(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.jvfio.cli.Main", "serve", "--mock", "--memory", "4M",
                "--interval", "0.2"));
        command.addAll(List.of(options));
        Process serve = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("serving the iommufd test mock")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "serve ended before serving:\n" + seen);
            while ((line = out.readLine()) != null && !line.contains(" faults/s  p50 ")) { // a statistics line, not the summary
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "serve ended before its first statistics line:\n" + seen);
            // The shell's own kill: the container image has no /bin/kill (procps).
            assertEquals(0, new ProcessBuilder("sh", "-c", "kill -INT " + serve.pid()).inheritIO().start().waitFor());
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop on SIGINT");
            String rest = out.lines().collect(Collectors.joining("\n"));
            assertEquals(0, serve.exitValue(), rest);
            assertTrue(rest.contains("served 0 faults in 0 groups"), rest);
        } finally {
            serve.destroyForcibly();
        }
    }
}
