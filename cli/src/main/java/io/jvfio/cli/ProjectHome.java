package io.jvfio.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Where jvfio's scripts are: $JVFIO_HOME (the launcher sets it), else the checkout the jar was built in. */
final class ProjectHome {
    /** The guest runner, relative to the home; a directory without it is no jvfio checkout or installation. */
    private static final String GUEST_EXEC = "scripts/guest/guest-exec.sh";

    private ProjectHome() {}

    static Path find() {
        String env = System.getenv("JVFIO_HOME");
        if (env != null && !env.isEmpty()) {
            return require(Path.of(env));
        }
        return jar().map(j -> j.getParent().getParent().getParent())
                .filter(p -> Files.exists(guestExec(p)))
                .orElseThrow(() -> new IllegalStateException("cannot find jvfio's scripts: set JVFIO_HOME to the jvfio"
                        + " checkout or installation (the directory holding " + GUEST_EXEC + ")"));
    }

    /** The script that boots a guest and runs one command in it. */
    static Path guestExec(Path home) {
        return home.resolve(GUEST_EXEC);
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

    static Path require(Path home) {
        if (!Files.exists(guestExec(home))) {
            throw new IllegalStateException("JVFIO_HOME=" + home + " holds no " + GUEST_EXEC);
        }
        return home;
    }
}
