package io.jvfio.testing.junit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.output.WaitingConsumer;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.DockerStatus;

/**
 * Boots the guest inside jvfio's container image through Testcontainers, for a host with podman or
 * Docker but no QEMU: the image carries QEMU, both lanes' guests and the harness. The container gets
 * the test class path, the host's JVM, the working directory and the output directory bind-mounted at
 * their own paths, and starts in that working directory; the guest shares the container's root and
 * starts where the harness does, so the guest's JVM runs the host's classes as under
 * {@link QemuGuestRunner}. Unlike there, the rest of the guest's file system is the image's (Debian
 * 12): a JVM or native library built for a newer C library than the image's does not load there.
 */
final class ContainerGuestRunner implements GuestRunner {
    static final String DEFAULT_IMAGE = "local/jvfio:latest";
    /** jvfio's home inside the image (its JVFIO_HOME). */
    static final Path IMAGE_HOME = Path.of("/opt/jvfio");
    /** The harness stops the guest at the spec's timeout; the container gets this much more to end. */
    private static final Duration GRACE = Duration.ofMinutes(2);

    private final String image;
    /** Why the guest boots in a container, for the log: QEMU missing, or the configuration asking for it. */
    private final String why;

    ContainerGuestRunner(String image, String why) {
        this.image = image;
        this.why = why;
    }

    String image() {
        return image;
    }

    @Override
    public GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log)
            throws IOException, InterruptedException {
        DockerClientFactory engine = DockerClientFactory.instance();
        if (!engine.isDockerAvailable()) {
            throw new IllegalStateException(why + ", and Testcontainers reaches no container engine"
                    + " (DOCKER_HOST=" + System.getenv("DOCKER_HOST") + "): start one (podman: `podman system service"
                    + " --time=0 unix://$XDG_RUNTIME_DIR/podman/podman.sock`, or /run/podman/podman.sock as root, then"
                    + " DOCKER_HOST=unix://<that socket> and TESTCONTAINERS_RYUK_DISABLED=true), or install qemu-system-x86");
        }
        if (image.startsWith("local/") && engine.client().listImagesCmd().withFilter("reference", List.of(image)).exec().isEmpty()) {
            throw new IllegalStateException(why + ", and the container engine has no image " + image
                    + ": build it in a jvfio checkout (README, \"Containers\": podman build -t local/jvfio .), or name"
                    + " another with " + GuestRunners.IMAGE_PARAMETER);
        }
        Path workDir = Path.of(System.getProperty("user.dir"));
        List<String> argv = argv(spec, command, out, workDir);
        Files.createDirectories(out);
        log.accept("jvfio: running " + command.describeClasses() + " in a QEMU guest inside the container image " + image
                + " through Testcontainers (" + why + "; " + engine.getTransportConfig().getDockerHost() + "; " + spec
                + "); its log: " + out);
        HarnessOutput output = new HarnessOutput(log);
        long timeout = spec.runTimeoutSeconds(command);
        WaitingConsumer ended = new WaitingConsumer();
        try (FrameLines lines = new FrameLines(output);
             GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))) {
            container.withImagePullPolicy(image.startsWith("local/") ? name -> false : PullPolicy.defaultPolicy())
                    .withEnv("JVFIO_KERNEL", spec.kernelLane())
                    .withCommand(argv.toArray(String[]::new))
                    .withWorkingDirectory(workDir.toString())
                    // One consumer: each is a stream of its own, and the end of one says nothing of the other's lines.
                    .withLogConsumer(lines.andThen(ended))
                    .withStartupCheckStrategy(new UntilExited().withTimeout(Duration.ofSeconds(timeout).plus(GRACE)));
            mounts(command, workDir, out).forEach((path, mode) -> container.withFileSystemBind(path.toString(), path.toString(), mode));
            // A surefire fork that is stopped takes the container with it.
            Thread stop = new Thread(container::stop, "jvfio-container-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            try {
                container.start();
            } catch (ContainerLaunchException e) {
                lines.close();
                return new GuestExit(-1, "the container did not run the guest to its end (it may run " + timeout
                        + " s and " + GRACE.toSeconds() + " s more to stop): " + rootCause(e) + "; the harness's last word: "
                        + output.reason(), out.resolve("serial.log"));
            } finally {
                Runtime.getRuntime().removeShutdownHook(stop);
            }
            try {
                ended.waitUntilEnd(30, TimeUnit.SECONDS); // the harness's last lines, which say why it failed
            } catch (TimeoutException e) {
                log.accept("jvfio: the container's output did not end 30 s after the container did");
            }
            Long status = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec()
                    .getState().getExitCodeLong();
            lines.close();
            return output.exit(status == null ? -1 : status.intValue(), out);
        }
    }

    /**
     * What the container mounts, read-only unless said: the class path, the JVM's home and whatever its
     * links lead to outside it (Debian's JDKs keep their configuration under /etc), the working
     * directory (tests read files relative to it), and the output directory, writable, last. A path
     * under one already mounted is not mounted again.
     */
    static Map<Path, BindMode> mounts(GuestCommand command, Path workDir, Path out) throws IOException {
        Path javaHome = command.javaHome();
        List<Path> readOnly = new ArrayList<>(command.classPath());
        readOnly.add(workDir);
        readOnly.add(javaHome);
        readOnly.addAll(linksOutOf(javaHome));
        Map<Path, BindMode> mounts = new LinkedHashMap<>();
        readOnly.stream().map(p -> p.toAbsolutePath().normalize()).sorted()
                .filter(p -> mounts.keySet().stream().noneMatch(p::startsWith))
                .forEach(p -> mounts.put(p, BindMode.READ_ONLY));
        mounts.put(out.toAbsolutePath().normalize(), BindMode.READ_WRITE);
        return mounts;
    }

    /** The existing targets of the symbolic links under a directory that lead out of it, as the links name them. */
    static List<Path> linksOutOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isSymbolicLink).map(link -> {
                try {
                    return link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).filter(target -> !target.startsWith(dir) && Files.exists(target)).distinct().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root + ")";
    }

    /** Counts the guest run as started once the container has exited, whatever its status. */
    private static final class UntilExited extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(com.github.dockerjava.api.DockerClient client, String containerId) {
            return DockerStatus.isContainerStopped(getCurrentState(client, containerId)) ? StartupStatus.SUCCESSFUL
                    : StartupStatus.NOT_YET_KNOWN;
        }
    }

    /** The container's output frames, which may split lines, as whole lines, per stream. */
    private static final class FrameLines implements Consumer<OutputFrame>, AutoCloseable {
        private final Consumer<String> lines;
        private final Map<OutputFrame.OutputType, StringBuilder> partial = new LinkedHashMap<>();

        FrameLines(Consumer<String> lines) {
            this.lines = lines;
        }

        @Override
        public synchronized void accept(OutputFrame frame) {
            if (frame == OutputFrame.END || frame.getBytes() == null) {
                return;
            }
            StringBuilder b = partial.computeIfAbsent(frame.getType(), t -> new StringBuilder());
            b.append(new String(frame.getBytes(), StandardCharsets.UTF_8));
            for (int nl = b.indexOf("\n"); nl >= 0; nl = b.indexOf("\n")) {
                lines.accept(b.substring(0, nl));
                b.delete(0, nl + 1);
            }
        }

        /** Passes on what is left of each stream's last line. */
        @Override
        public synchronized void close() {
            partial.values().stream().filter(b -> b.length() > 0).forEach(b -> lines.accept(b.toString()));
            partial.clear();
        }
    }

    /**
     * The harness's command line in the image: as under QEMU on the host, but without
     * --stop-with-parent: in the container the harness's parent is outside (it never changes), and an
     * image built before the option would refuse it.
     */
    static List<String> argv(GuestSpec spec, GuestCommand command, Path out, Path workDir) {
        return QemuGuestRunner.argv(IMAGE_HOME, spec, command, out, workDir, false);
    }
}
