package io.jvfio.testing.junit;

import io.jvfio.testing.HarnessProcesses;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Boots the guest under QEMU through jvfio's harness, scripts/guest/guest-exec.sh. */
final class QemuGuestRunner implements GuestRunner {
    static final String QEMU = "qemu-system-x86_64";
    static final String QEMU_MISSING = "QEMU not found: install qemu-system-x86 (scripts/lib.sh ensure_qemu), or podman"
            + " or Docker for jvfio's container image (README, \"Testing your code against real VFIO\")";

    private final Map<String, String> environment;

    QemuGuestRunner() {
        this(System.getenv());
    }

    /** With the environment the harness runs in (its PATH is where QEMU is looked for). */
    QemuGuestRunner(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log)
            throws IOException, InterruptedException {
        Path qemu = onPath(QEMU, environment.getOrDefault("PATH", "")).orElseThrow(() -> new IllegalStateException(QEMU_MISSING));
        Path home = HarnessHome.find(environment);
        log.accept("jvfio: running " + command.describeClasses() + " in a QEMU guest (" + qemu + "; " + spec + ") through "
                + HarnessHome.guestExec(home) + "; its log: " + out);
        List<String> argv = argv(home, spec, command, out, Path.of(System.getProperty("user.dir")), true);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(harnessEnvironment(spec, environment));
        // A surefire fork that is stopped takes the guest with it (guest-exec.sh stops QEMU on SIGTERM).
        // The hook is in place before the harness starts: one added after could come too late (a JVM
        // already shutting down refuses it), and the harness would run on.
        HarnessStop harnessStop = new HarnessStop();
        Thread stop = new Thread(harnessStop, "jvfio-guest-stop");
        Runtime.getRuntime().addShutdownHook(stop);
        Process harness;
        HarnessOutput output = new HarnessOutput(log);
        try {
            harness = harnessStop.start(builder);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(harness.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(output);
                harness.waitFor();
            } finally {
                HarnessProcesses.stop(harness); // ended already, unless reading or waiting failed
            }
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) and stops the harness
            }
        }
        return output.exit(harness.exitValue(), out);
    }

    /** Starts the harness unless the JVM is shutting down, and as a shutdown hook stops it. */
    private static final class HarnessStop implements Runnable {
        private Process harness;
        private boolean stopping;

        /** Under the hook's lock: a shutdown that begins meanwhile waits, then stops what started. */
        synchronized Process start(ProcessBuilder builder) throws IOException {
            if (stopping) {
                throw new IllegalStateException("the JVM is shutting down: no guest is started");
            }
            harness = builder.start();
            return harness;
        }

        @Override
        public synchronized void run() {
            stopping = true;
            if (harness != null) {
                HarnessProcesses.stop(harness);
            }
        }
    }

    /**
     * The harness's environment: this one, with the spec's kernel lane. A prebuilt kernel it names
     * (JVFIO_GUEST_KERNEL, which the harness boots instead of the lane's own) stays only while the lane
     * is the environment's: a class that asks for another lane gets that lane's kernel.
     */
    static Map<String, String> harnessEnvironment(GuestSpec spec, Map<String, String> environment) {
        Map<String, String> harness = new HashMap<>(environment);
        String lane = environment.getOrDefault("JVFIO_KERNEL", "");
        if (!spec.kernelLane().equals(lane.isEmpty() ? GuestSpec.DEFAULT_LANE : lane)) {
            harness.remove("JVFIO_GUEST_KERNEL");
        }
        harness.put("JVFIO_KERNEL", spec.kernelLane());
        return harness;
    }

    /**
     * guest-exec.sh's command line: the spec as its options, the directories the guest must be given
     * for the class path and the working directory {@code workDir} ({@link GuestShares}), then the
     * guest JVM's.
     */
    /** guest-exec.sh's option to stop the guest when the process that started it is gone. */
    static final String STOP_WITH_PARENT = "--stop-with-parent";

    static List<String> argv(Path home, GuestSpec spec, GuestCommand command, Path out, Path workDir, boolean watchParent) {
        List<String> argv = new ArrayList<>(List.of("bash", HarnessHome.guestExec(home).toString(),
                "--profile", spec.iommu().profile(), "--timeout",
                Long.toString(spec.runTimeoutSeconds(command)),
                "--boot-timeout", Integer.toString(spec.bootTimeoutSeconds()),
                "--out", out.toString(), "--memory", spec.memory(),
                "--devices", spec.devices().stream().sorted().map(GuestDevice::harnessName).collect(Collectors.joining(","))));
        if (!spec.kernelArgs().isEmpty()) {
            argv.addAll(List.of("--append", String.join(" ", spec.kernelArgs())));
        }
        for (Path share : GuestShares.of(command.classPath(), command.javaHome(), workDir, home)) {
            argv.addAll(List.of("--share", share.toString()));
        }
        if (watchParent) {
            argv.add(STOP_WITH_PARENT); // a test JVM killed with -9 runs no shutdown hook to stop the guest
        }
        argv.add("--");
        argv.addAll(command.argv(spec.jvmArgs()));
        return argv;
    }

    static Optional<Path> onPath(String program, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p) && !Files.isDirectory(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
