package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;

/** What the container runner mounts so that the guest in the container sees what the host's JVM ran. */
class ContainerGuestRunnerTest {
    @TempDir
    Path root;

    @Test
    void theClassPathTheJvmWithItsLinkedConfigurationTheWorkingDirectoryAndTheWritableOutputAreMountedOnceEach() throws IOException {
        Path javaHome = Files.createDirectories(root.resolve("jdk"));
        Files.createDirectories(javaHome.resolve("bin"));
        Path etc = Files.createDirectories(root.resolve("etc/java"));
        Files.writeString(etc.resolve("java.security"), "");
        Files.createDirectories(javaHome.resolve("conf/security"));
        Files.createSymbolicLink(javaHome.resolve("conf/security/java.security"), Path.of("../../../etc/java/java.security"));
        Files.createSymbolicLink(javaHome.resolve("conf/inside"), Path.of("../bin"));              // stays inside: not mounted
        Files.createSymbolicLink(javaHome.resolve("lib.zip"), root.resolve("nonexistent.zip"));   // leads nowhere: not mounted
        Path m2 = Files.createDirectories(root.resolve("m2"));
        Path jar = Files.writeString(m2.resolve("a.jar"), "");
        Path classes = Files.createDirectories(root.resolve("p/target/test-classes"));
        Path out = root.resolve("p/target/jvfio-guest/a.BTest");
        GuestCommand command = new GuestCommand(javaHome.resolve("bin/java"), List.of(classes, jar, m2, classes.resolve("sub")),
                List.of("a.BTest"), out.resolve("results.properties"));

        Map<Path, BindMode> mounts = ContainerGuestRunner.mounts(command, root.resolve("p/target"), out);

        assertEquals(List.of(etc.resolve("java.security"), javaHome, m2, root.resolve("p/target"), out), List.copyOf(mounts.keySet()));
        assertEquals(List.of(BindMode.READ_ONLY, BindMode.READ_ONLY, BindMode.READ_ONLY, BindMode.READ_ONLY, BindMode.READ_WRITE),
                List.copyOf(mounts.values()));
    }

    @Test
    void theHarnessInTheImageIsNotAskedToWatchItsParent() {
        GuestSpec spec = GuestSpec.of(Defaults.class.getAnnotation(VfioGuest.class), Map.of());
        GuestCommand command = new GuestCommand(Path.of("/usr/lib/jvm/x/bin/java"), List.of(Path.of("/p/target/test-classes")),
                List.of("a.BTest"), Path.of("/p/out/results.properties"));
        List<String> argv = ContainerGuestRunner.argv(spec, command, Path.of("/p/out"), Path.of("/p"));
        assertEquals("--", argv.get(argv.indexOf("--devices") + 2), "its parent is outside the container: " + argv);
        assertTrue(QemuGuestRunner.argv(Path.of("/home"), spec, command, Path.of("/p/out"), Path.of("/p"), true)
                .contains(QemuGuestRunner.STOP_WITH_PARENT), "on the host it is");
    }

    @VfioGuest
    private static final class Defaults {}
}
