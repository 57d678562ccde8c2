package io.jvfio.testing.junit;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where jvfio's guest harness is: {@code JVFIO_HOME} (the container image sets it to /opt/jvfio), else
 * the checkout this jar was built in or the test runs in, found by walking up from either.
 */
final class HarnessHome {
    /** The script that boots a guest and runs one command in it, relative to the home. */
    static final String GUEST_EXEC = "scripts/guest/guest-exec.sh";

    private HarnessHome() {}

    static Path find(Map<String, String> environment) {
        String env = environment.get("JVFIO_HOME");
        if (env != null && !env.isEmpty()) {
            Path home = Path.of(env).toAbsolutePath();
            if (!Files.isRegularFile(home.resolve(GUEST_EXEC))) {
                throw new IllegalStateException("JVFIO_HOME=" + env + " holds no " + GUEST_EXEC);
            }
            return home;
        }
        return Stream.of(codeSource(), Optional.of(Path.of("").toAbsolutePath()))
                .flatMap(Optional::stream)
                .map(HarnessHome::enclosingHome)
                .flatMap(Optional::stream)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("cannot find jvfio's guest harness (" + GUEST_EXEC
                        + "): set JVFIO_HOME to a jvfio checkout or installation (the container image's is /opt/jvfio)"));
    }

    static Path guestExec(Path home) {
        return home.resolve(GUEST_EXEC);
    }

    private static Optional<Path> enclosingHome(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(GUEST_EXEC))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Optional<Path> codeSource() {
        try {
            return Optional.of(Path.of(HarnessHome.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
