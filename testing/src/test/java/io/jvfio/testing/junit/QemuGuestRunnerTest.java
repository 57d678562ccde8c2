package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.testing.HarnessProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the QEMU runner refuses before it starts a guest, and the harness command it builds. */
class QemuGuestRunnerTest {
    private static final GuestSpec SPEC = new GuestSpec(Set.of(GuestDevice.NVME, GuestDevice.EDU), GuestIommu.MOCK, "7.2",
            "3G", List.of("iommu.strict=1", "loglevel=7"), 120, 60, List.of("-Xcheck:jni"));
    private static final GuestCommand COMMAND = new GuestCommand(Path.of("/usr/lib/jvm/x/bin/java"),
            List.of(Path.of("/p/target/test-classes"), Path.of("/root/.m2/a.jar")), List.of("a.BTest", "a.CTest"),
            Path.of("/p/out/results.properties"));
    /** The JDK the tests run, outside the guest's own /tmp. */
    private static final Path JDK = Path.of(System.getProperty("java.home"));

    @Test
    void withoutQemuItSaysHowToGetIt() {
        QemuGuestRunner runner = new QemuGuestRunner(Map.of("PATH", "/nonexistent:/also/not/here"));

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> runner.run(SPEC, COMMAND, Path.of("/p/out"), line -> { }));
        assertEquals("QEMU not found: install qemu-system-x86 (scripts/lib.sh ensure_qemu), or podman or Docker for"
                + " jvfio's container image (README, \"Testing your code against real VFIO\")", e.getMessage());
    }

    @Test
    void theHarnessGetsTheSpecAsItsOptionsAndTheGuestJvmAfterThem() {
        assertEquals(List.of("bash", "/home/scripts/guest/guest-exec.sh", "--profile", "iopf", "--timeout", "240",
                "--boot-timeout", "60", "--out", "/p/out", "--memory", "3G", "--devices", "edu,nvme", "--append", "iommu.strict=1 loglevel=7", "--stop-with-parent", "--",
                "/usr/lib/jvm/x/bin/java", "-Djvfio.guest.inside=true", "-Djvfio.guest.out=/p/out",
                "-XX:ErrorFile=/p/out/hs_err_pid%p.log", "-Xcheck:jni",
                "-cp", "/p/target/test-classes:/root/.m2/a.jar", GuestMain.class.getName(), "/p/out/results.properties",
                "a.BTest", "a.CTest"),
                QemuGuestRunner.argv(Path.of("/home"), SPEC, COMMAND, Path.of("/p/out"), Path.of("/p"), true));
    }

    @Test
    void aProjectUnderTheGuestsOwnTmpIsSharedThroughItsTopDirectory() throws IOException {
        Path top = Files.createTempDirectory(Path.of("/tmp"), "jvfio-share-test");
        try {
            Path classes = Files.createDirectories(top.resolve("app/target/test-classes"));
            Path jar = Files.createFile(top.resolve("lib.jar"));
            GuestCommand command = new GuestCommand(Path.of("/usr/lib/jvm/x/bin/java"),
                    List.of(classes, Path.of("/root/.m2/a.jar"), jar, Path.of("/tmp/jvfio-not-there/classes")), List.of("a.BTest"),
                    Path.of("/p/out/results.properties"));

            List<String> argv = QemuGuestRunner.argv(Path.of("/home"), SPEC, command, Path.of("/p/out"), top.resolve("app"), true);
            int at = argv.indexOf("--share");
            assertEquals(List.of("--share", top.toString(), "--stop-with-parent"), argv.subList(at, at + 3),
                    "one share for the project, none for ~/.m2 or an entry that is not there");
            assertEquals(List.of(), GuestShares.of(List.of(Path.of("/tmpfoo/x.jar"), Path.of("/root/.m2/a.jar")), JDK, Path.of("/tmp"),
                    Path.of("/home")), "nothing hidden: /tmpfoo is not /tmp, and the working directory /tmp itself is left out");
            Path jdk = Files.createDirectories(top.resolve("jdk-17"));
            assertEquals(List.of(top), GuestShares.of(List.of(Path.of("/root/.m2/a.jar")), jdk, Path.of("/p"), Path.of("/home")),
                    "a JDK unpacked under /tmp is shared: the guest runs the host's java");
            Path link = Path.of("target", "jvfio-share-test-link").toAbsolutePath();
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, classes);
            try {
                // The link lies in this module's target/: under /tmp too when the checkout is, which adds its own share.
                List<Path> shares = GuestShares.of(List.of(link), JDK, Path.of("/p"), Path.of("/home"));
                assertTrue(shares.contains(top), "an entry that leads into /tmp is shared where it leads: " + shares);
            } finally {
                Files.delete(link);
            }
        } finally {
            try (var files = Files.walk(top)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void whatNoShareCanShowIsRefusedSayingWhy() throws IOException {
        Path jar = Files.createTempFile(Path.of("/tmp"), "jvfio-share-test", ".jar");
        Path blank = Files.createTempDirectory(Path.of("/tmp"), "jvfio share test");
        Files.createDirectory(blank.resolve("classes"));
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> GuestShares.of(List.of(Path.of("/root/.m2/a.jar"), jar), JDK, Path.of("/p"), Path.of("/home")));
            assertEquals("the guest cannot see " + jar + ", which is on the test class path: the guest has its own /tmp/,"
                    + " and only a directory in it can be shared: put it in a directory, under /tmp/ or elsewhere",
                    e.getMessage());
            e = assertThrows(IllegalStateException.class,
                    () -> GuestShares.of(List.of(blank.resolve("classes")), JDK, Path.of("/p"), Path.of("/home")));
            assertEquals("the guest cannot see " + blank.resolve("classes") + ", which is on the test class path: it is"
                    + " under the guest's own /tmp/, and " + blank + " cannot be shared, as its name holds a blank, a comma"
                    + " or a colon (it goes on the kernel command line); rename it", e.getMessage());
            e = assertThrows(IllegalStateException.class,
                    () -> GuestShares.of(List.of(Path.of("/root/.m2/a.jar")), blank, Path.of("/p"), Path.of("/home")));
            assertEquals("the guest cannot see " + blank + ", the JDK the guest runs (the host's java.home): it is under the"
                    + " guest's own /tmp/, and " + blank + " cannot be shared, as its name holds a blank, a comma or a colon"
                    + " (it goes on the kernel command line); rename it", e.getMessage());
        } finally {
            Files.delete(jar);
            Files.delete(blank.resolve("classes"));
            Files.delete(blank);
        }
    }

    /**
     * A test JVM stopped while the harness builds the kernel: the build (here a sleep) ends with it,
     * a package installation (here a sleep named dpkg) is left to finish.
     */
    @Test
    void stoppingTheHarnessStopsWhatItStartedButAPackageInstallation(@TempDir Path bin) throws Exception {
        Path dpkg = Files.copy(Path.of("/bin/sleep"), bin.resolve("dpkg"));
        Process harness = new ProcessBuilder("bash", "-c", dpkg + " 300 & sleep 300; wait").start();
        try {
            List<ProcessHandle> started = List.of();
            Optional<ProcessHandle> install = Optional.empty();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((started.size() < 2 || install.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(10); // until both children have started their programs
                started = harness.descendants().toList();
                install = started.stream().filter(p -> p.info().command().orElse("").endsWith("/dpkg")).findFirst();
            }
            assertEquals(2, started.size(), "the harness's children");
            assertTrue(install.isPresent(), "the install started");

            HarnessProcesses.stop(harness);

            for (ProcessHandle child : started) {
                if (!child.equals(install.get())) {
                    child.onExit().get(60, TimeUnit.SECONDS); // a hang guard: one left running lives its 300 s
                }
            }
            assertTrue(harness.waitFor(60, TimeUnit.SECONDS));
            assertTrue(install.get().isAlive(), "the package installation was stopped");
        } finally {
            harness.descendants().forEach(ProcessHandle::destroy);
            harness.destroy();
            // The install, which outlived the harness (no longer its descendant).
            ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").equals(dpkg.toString()))
                    .forEach(ProcessHandle::destroy);
        }
    }

    @Test
    void aPrebuiltKernelInTheEnvironmentStandsInOnlyForItsOwnLane() {
        Map<String, String> env = Map.of("JVFIO_GUEST_KERNEL", "/k/bzImage", "JVFIO_KERNEL", "6.12", "PATH", "/bin");

        Map<String, String> sameLane = QemuGuestRunner.harnessEnvironment(withLane("6.12"), env);
        assertEquals("/k/bzImage", sameLane.get("JVFIO_GUEST_KERNEL"));
        assertEquals("6.12", sameLane.get("JVFIO_KERNEL"));
        Map<String, String> otherLane = QemuGuestRunner.harnessEnvironment(withLane("7.2"), env);
        assertEquals(null, otherLane.get("JVFIO_GUEST_KERNEL"), "a class asking for 7.2 booted the environment's kernel");
        assertEquals("7.2", otherLane.get("JVFIO_KERNEL"));
        assertEquals("/bin", otherLane.get("PATH"));
        // Without JVFIO_KERNEL the environment's lane is the default one.
        assertEquals("/k/bzImage", QemuGuestRunner.harnessEnvironment(withLane(GuestSpec.DEFAULT_LANE),
                Map.of("JVFIO_GUEST_KERNEL", "/k/bzImage")).get("JVFIO_GUEST_KERNEL"));
    }

    private static GuestSpec withLane(String lane) {
        return new GuestSpec(SPEC.devices(), SPEC.iommu(), lane, SPEC.memory(), SPEC.kernelArgs(), SPEC.timeoutSeconds(),
                SPEC.bootTimeoutSeconds(), SPEC.jvmArgs());
    }
}
