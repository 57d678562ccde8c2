package io.jvfio.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where jvfio's scripts are: $JVFIO_HOME (the launcher sets it), else the checkout the jar was built in. */
final class ProjectHome {
    private ProjectHome() {}

    static Path find() {
        String env = System.getenv("JVFIO_HOME");
        if (env != null && !env.isEmpty()) {
            return require(Path.of(env));
        }
        return jar().map(j -> j.getParent().getParent().getParent())
                .filter(p -> Files.exists(p.resolve("scripts/guest/guest-exec.sh")))
                .orElseThrow(() -> new IllegalStateException("cannot find jvfio's scripts: set JVFIO_HOME to the jvfio"
                        + " checkout or installation (the directory holding scripts/guest/guest-exec.sh)"));
    }

    /** The jar this class was loaded from, if it was a jar. */
    static Optional<Path> jar() {
        try {
            Path p = Path.of(ProjectHome.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }

    private static Path require(Path home) {
        if (!Files.exists(home.resolve("scripts/guest/guest-exec.sh"))) {
            throw new IllegalStateException("JVFIO_HOME=" + home + " holds no scripts/guest/guest-exec.sh");
        }
        return home;
    }
}
