package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which runner boots a guest: QEMU where it is installed, the container image where only podman or Docker is. */
class GuestRunnersTest {
    private static final Function<String, Optional<String>> NOTHING_CONFIGURED = name -> Optional.empty();

    @TempDir
    Path bin;

    @Test
    void qemuOnThePathBootsTheGuestUnderIt() throws IOException {
        Map<String, String> env = Map.of("PATH", bin + ":" + program("qemu-system-x86_64").getParent());
        program("podman");

        assertInstanceOf(QemuGuestRunner.class, GuestRunners.choose(NOTHING_CONFIGURED, env));
    }

    @Test
    void withoutQemuButWithPodmanOrDockerTheGuestBootsInTheContainerImage() throws IOException {
        program("podman");
        assertInstanceOf(ContainerGuestRunner.class, GuestRunners.choose(NOTHING_CONFIGURED, Map.of("PATH", "/nonexistent:" + bin)));
        Files.delete(bin.resolve("podman"));
        program("docker");
        assertInstanceOf(ContainerGuestRunner.class, GuestRunners.choose(NOTHING_CONFIGURED, Map.of("PATH", bin.toString())));
    }

    @Test
    void withNeitherItIsQemuThatSaysWhatToInstall() {
        GuestRunner runner = GuestRunners.choose(NOTHING_CONFIGURED, Map.of("PATH", bin.toString()));

        assertInstanceOf(QemuGuestRunner.class, runner);
    }

    @Test
    void theConfigurationForcesARunnerAndNamesTheImage() throws IOException {
        program("qemu-system-x86_64");
        Map<String, String> env = Map.of("PATH", bin.toString(), "JVFIO_IMAGE", "registry.example/jvfio:1");
        Map<String, String> config = Map.of(GuestRunners.RUNNER_PARAMETER, "container");

        GuestRunner runner = GuestRunners.choose(name -> Optional.ofNullable(config.get(name)), env);
        assertEquals("registry.example/jvfio:1", ((ContainerGuestRunner) runner).image());
        runner = GuestRunners.choose(name -> Optional.ofNullable(Map.of(GuestRunners.RUNNER_PARAMETER, "container",
                GuestRunners.IMAGE_PARAMETER, "local/jvfio:test").get(name)), env);
        assertEquals("local/jvfio:test", ((ContainerGuestRunner) runner).image());
        assertEquals(ContainerGuestRunner.DEFAULT_IMAGE, ((ContainerGuestRunner) GuestRunners.choose(
                name -> Optional.ofNullable(config.get(name)), Map.of())).image());
        assertInstanceOf(QemuGuestRunner.class, GuestRunners.choose(name -> Optional.of("qemu").filter(v -> name.equals(GuestRunners.RUNNER_PARAMETER)), Map.of()));
    }

    @Test
    void aRunnerThatIsNeitherNamesTheParameter() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GuestRunners.choose(name -> Optional.of("kvm").filter(v -> name.equals(GuestRunners.RUNNER_PARAMETER)), Map.of()));
        assertEquals("jvfio.guest.runner=kvm: neither qemu, container nor a class", e.getMessage());
    }

    private Path program(String name) throws IOException {
        Path p = Files.writeString(bin.resolve(name), "#!/bin/sh\nexit 1\n");
        p.toFile().setExecutable(true);
        return p;
    }
}
