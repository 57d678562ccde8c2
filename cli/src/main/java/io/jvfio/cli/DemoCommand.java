package io.jvfio.cli;

import io.jvfio.testing.HarnessProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Boot the project's QEMU guest (Linux 6.12, or 7.2 with JVFIO_KERNEL=7.2; q35, Intel vIOMMU, edu/e1000e/nvme; TCG) and show,"
                + " inside it, device discovery, a DMA round trip through the vIOMMU with an MSI, and the fault-service"
                + " loop serving a burst of I/O page faults. Needs no VFIO hardware. The first run builds the guest kernel"
                + " (about 10 minutes, cached under ~/.cache/jvfio).")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--faults", defaultValue = "20000", description = "Page requests in the IOPF burst (default: ${DEFAULT-VALUE}).")
    long faults;

    @Option(names = "--timeout", defaultValue = "1800", description = "Seconds each guest may run (default: ${DEFAULT-VALUE});"
            + " a first run's kernel build comes on top.")
    int timeout;

    @Spec
    CommandSpec spec;

    /** Made by call(): picocli makes every command's object for each command line, demo or not. */
    private Runner runner;

    @Override
    public Integer call() throws Exception {
        if (faults < 1) {
            throw new BadArgumentException("--faults: the burst needs at least one page request, not " + faults);
        }
        if (timeout < 1) {
            throw new BadArgumentException("--timeout: a guest needs at least one second, not " + timeout);
        }
        Path home = ProjectHome.find();
        Path jar = ProjectHome.jar().orElseThrow(() -> new IllegalStateException("jvfio demo runs from the jvfio jar"
                + " (scripts/jvfio demo); build it with: mvn -B package -DskipTests"));
        Path out = Files.createTempDirectory("jvfio-demo");
        PrintWriter w = spec.commandLine().getOut();
        String lane = System.getenv().getOrDefault("JVFIO_KERNEL", "6.12");
        w.println("jvfio demo: two boots of a Linux " + lane + " guest under QEMU (TCG): one with an Intel vIOMMU for VFIO,"
                + " one with intel_iommu=off for the kernel's iommufd fault mock.");
        w.flush();
        runner = new Runner();
        long t0 = System.nanoTime();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int vfio = stage(home, out.resolve("vfio"), "vfio", List.of(java, errorFile(out.resolve("vfio")), "-jar",
                jar.toString(), "guest-demo", "vfio"), w);
        int iopf = stage(home, out.resolve("iopf"), "iopf", List.of(java, errorFile(out.resolve("iopf")), "-jar",
                jar.toString(), "guest-demo", "iopf", "--faults", Long.toString(faults)), w);
        boolean ok = vfio == 0 && iopf == 0;
        w.printf("%njvfio demo: %s in %.0f s%n", ok ? "done" : "FAILED; the guests' logs are kept in " + out,
                (System.nanoTime() - t0) / 1e9);
        w.flush();
        if (ok) {
            deleteTree(out);
        }
        // The runner's own status (a timeout's 124, a signal's 128+n) is in its log; ours says failed.
        return ok ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    /** A guest JVM that crashes leaves its hs_err file in the stage's output directory, which outlives the guest. */
    private static String errorFile(Path stageOut) {
        return "-XX:ErrorFile=" + stageOut.resolve("hs_err_pid%p.log");
    }

    /** The logs matter only when a stage failed. */
    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Boots one guest and prints what the command in it prints, as it prints it. */
    private int stage(Path home, Path out, String profile, List<String> command, PrintWriter w) throws IOException, InterruptedException {
        Files.createDirectories(out);
        List<String> argv = new ArrayList<>(List.of(ProjectHome.guestExec(home).toString(), "--profile", profile,
                "--timeout", Integer.toString(timeout), "--out", out.toString(), "--stop-with-parent", "--"));
        argv.addAll(command);
        Process p = runner.start(new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD));
        try {
            return follow(p, out, w);
        } finally {
            runner.finished();
        }
    }

    /**
     * The guest runner in flight. A SIGTERM to jvfio ends this JVM without reaching the runner (a
     * terminal's Ctrl-C does reach it): a shutdown hook stops it, whose TERM trap stops QEMU, which
     * would otherwise run on, orphaned, until its timeout; and no stage starts once the JVM is going.
     */
    private static final class Runner {
        private Process running;
        private boolean shuttingDown;

        Runner() {
            Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "jvfio-demo-stop-runner"));
        }

        synchronized Process start(ProcessBuilder builder) throws IOException {
            if (shuttingDown) {
                throw new IllegalStateException("stopping: no further guest is booted");
            }
            running = builder.start();
            return running;
        }

        synchronized void finished() {
            running = null;
        }

        private synchronized void stop() {
            shuttingDown = true;
            if (running != null) {
                HarnessProcesses.stop(running); // and what it started: a kernel build would run on
            }
        }
    }

    private int follow(Process p, Path out, PrintWriter w) throws InterruptedException {
        SerialFollower serial = new SerialFollower(out.resolve("serial.log"), w);
        // The runner's progress lines go to stderr, each after the guest output that came before it.
        Thread progress = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    serial.poll();
                    spec.commandLine().getErr().println(line);
                    spec.commandLine().getErr().flush();
                }
            } catch (IOException e) {
                spec.commandLine().getErr().println("jvfio demo: lost the guest runner's progress output: " + e.getMessage());
            }
        }, "jvfio-demo-progress");
        progress.start();
        while (!p.waitFor(100, TimeUnit.MILLISECONDS)) {
            serial.poll();
        }
        progress.join();
        serial.poll();
        return p.exitValue();
    }
}
