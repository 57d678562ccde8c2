package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.it.GuestCli;
import io.jvfio.testing.MockIommuDevice;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    void aPinOfPartOfAPagePinsAllOfItAndTheBurstNeverFaultsThere() {
        // The faultable memory once began 2 KiB into the pinned page: the burst faulted there, and serve exited 4.
        GuestCli.Result r = GuestCli.run("serve", "--mock", "--memory", "1M", "--pin", "0+2K", "--burst", "300");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("served 300 faults in 300 groups: 300 success, 0 invalid"), r.toString());
        assertTrue(r.out().contains("0 faults outside guest memory, 0 in pinned ranges"), r.toString());
    }

    @Test
    void rejectAllAnswersEverythingInvalid() {
        GuestCli.Result r = GuestCli.run("serve", "--mock", "--policy", "reject-all", "--burst", "100");
        assertEquals(4, r.status(), r.toString());
        assertTrue(r.out().contains("0 success, 100 invalid"), r.toString());
    }

    @Test
    void ctrlCClosesOnTheNormalPathPrintsTheSummaryAndExitsZero() throws Exception {
        String rest = ctrlCStops(true); // no --duration: serve runs until Ctrl-C
        assertTrue(rest.contains("served 0 faults in 0 groups"), rest);
    }

    @Test
    void ctrlCStopsADurationTooLongForALong() throws Exception {
        // 1e10 s is more nanoseconds than a long holds: it once made a deadline that wrapped, and serve stopped at once.
        String rest = ctrlCStops(true, "--duration", "1e10");
        assertTrue(rest.contains("served 0 faults in 0 groups"), rest);
    }

    @Test
    void ctrlCStopsALongBurstAndWhatWasFiredIsAllAnswered() throws Exception {
        // A billion requests would take hours under TCG: the burst used to run to its end before the stop was seen.
        String rest = ctrlCStops(false, "--burst", "1000000000");
        Matcher served = Pattern.compile("served ([0-9,]+) faults in ([0-9,]+) groups: ([0-9,]+) success, 0 invalid").matcher(rest);
        assertTrue(served.find(), rest);
        long faults = Long.parseLong(served.group(1).replace(",", ""));
        assertTrue(faults < 1_000_000_000L, "the burst ran to its end: " + rest);
        assertEquals(served.group(1), served.group(3), "every request fired is answered SUCCESS: " + rest);
    }

    @Test
    void durationEndsALongBurstAndWhatWasFiredIsAllAnswered() throws Exception {
        // --duration once began to count after the burst: a billion requests ran for hours under TCG.
        Process serve = serve(List.of("--memory", "4M", "--burst", "1000000000", "--duration", "2"));
        try {
            assertTrue(serve.waitFor(120, TimeUnit.SECONDS), "serve still runs two minutes into a 2 s --duration"); // a hang guard
            String out = new String(serve.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, serve.exitValue(), out);
            Matcher served = Pattern.compile("served ([0-9,]+) faults in ([0-9,]+) groups: ([0-9,]+) success, 0 invalid").matcher(out);
            assertTrue(served.find(), out);
            assertEquals(served.group(1), served.group(3), "every request fired is answered SUCCESS: " + out);
        } finally {
            serve.destroyForcibly();
        }
    }

    @Test
    void mapsTheKernelRefusesAreAnsweredInvalidCountedAndLoggedOnce() throws Exception {
        // Guest memory past the mock's aperture: the kernel refuses every map. Once this showed only as a count.
        long iova = (MockIommuDevice.aperture().last() + 1) * 2;
        Process serve = serve(List.of("--memory", "64K", "--iova", "0x" + Long.toHexString(iova), "--burst", "20"));
        try {
            String out = new String(serve.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), out);
            assertEquals(4, serve.exitValue(), out);
            assertTrue(out.contains("served 20 faults in 20 groups: 0 success, 20 invalid"), out);
            assertTrue(out.contains(", 20 map failures,"), out);
            Matcher logged = Pattern.compile("could not be mapped; answering INVALID \\(logged once per errno, counted in"
                    + " mapFailures\\(\\)\\): IOMMU_IOAS_MAP\\(ioas [0-9]+, iova 0x[0-9a-f]+\\): E[A-Z]+").matcher(out);
            assertTrue(logged.find(), out);
            assertTrue(!logged.find(), "logged more than once: " + out);
        } finally {
            serve.destroyForcibly();
        }
    }

    /** `jvfio serve --mock` with {@code options}, in a JVM of its own, its error output merged into its output. */
    private static Process serve(List<String> options) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.jvfio.cli.Main", "serve", "--mock"));
        command.addAll(options);
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * Starts `serve --mock`, waits for it to serve (and, if {@code statistics}, for its first statistics
     * line), sends SIGINT: serve must answer, summarise and exit 0 within a minute. Returns what it
     * printed after the signal.
     */
    private static String ctrlCStops(boolean statistics, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("--memory", "4M", "--interval", "0.2"));
        command.addAll(List.of(options));
        Process serve = serve(command);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("serving the iommufd test mock")) {
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "serve ended before serving:\n" + seen);
            while (statistics && (line = out.readLine()) != null && !line.contains(" faults/s  p50 ")) { // not the summary
                seen.append(line).append('\n');
            }
            assertTrue(line != null, "serve ended before its first statistics line:\n" + seen);
            // The shell's own kill: the container image has no /bin/kill (procps).
            assertEquals(0, new ProcessBuilder("sh", "-c", "kill -INT " + serve.pid()).inheritIO().start().waitFor());
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve did not stop on SIGINT");
            String rest = out.lines().collect(Collectors.joining("\n"));
            assertEquals(0, serve.exitValue(), rest);
            return rest;
        } finally {
            serve.destroyForcibly();
        }
    }
}
