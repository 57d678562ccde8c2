package io.jvfio.testing.junit;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Which runner boots a class's guest: the one the configuration parameter {@value #RUNNER_PARAMETER}
 * names ({@code qemu}, {@code container} or a class), else QEMU where it is installed, else jvfio's
 * container image where podman or Docker is, else QEMU, whose error says what to install.
 */
final class GuestRunners {
    /** A configuration parameter: {@code qemu}, {@code container}, or the class of another runner (with a no-argument constructor). */
    static final String RUNNER_PARAMETER = "jvfio.guest.runner";
    /** A configuration parameter (or the environment's JVFIO_IMAGE): the image the container runner boots. */
    static final String IMAGE_PARAMETER = "jvfio.guest.image";

    private GuestRunners() {}

    static GuestRunner choose(Function<String, Optional<String>> configuration, Map<String, String> environment) {
        String path = environment.getOrDefault("PATH", "");
        Optional<String> configured = configuration.apply(RUNNER_PARAMETER);
        String named = configured.orElseGet(() -> QemuGuestRunner.onPath(QemuGuestRunner.QEMU, path).isEmpty()
                && (QemuGuestRunner.onPath("podman", path).isPresent() || QemuGuestRunner.onPath("docker", path).isPresent())
                ? "container" : "qemu");
        switch (named) {
            case "qemu":
                return new QemuGuestRunner(environment);
            case "container":
                return new ContainerGuestRunner(configuration.apply(IMAGE_PARAMETER)
                        .orElse(environment.getOrDefault("JVFIO_IMAGE", ContainerGuestRunner.DEFAULT_IMAGE)),
                        configured.isPresent() ? RUNNER_PARAMETER + "=container" : QemuGuestRunner.QEMU + " is not on the PATH");
            default:
                return (GuestRunner) ReflectionSupport.newInstance(ReflectionSupport.tryToLoadClass(named)
                        .getOrThrow(e -> new IllegalArgumentException(RUNNER_PARAMETER + "=" + named
                                + ": neither qemu, container nor a class", e)));
        }
    }
}
