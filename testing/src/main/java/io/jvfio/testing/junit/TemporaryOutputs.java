package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * This JVM's own temporary directory for guest outputs, for runs outside a Maven project: made on
 * first use and removed when the JVM exits, unless a guest run in it went wrong or was still going.
 * Then it stays: the failures name its serial logs and results.
 */
final class TemporaryOutputs {
    private final String prefix;
    private Path dir;
    private boolean keep;
    private int running;

    TemporaryOutputs(String prefix) {
        this.prefix = prefix;
    }

    /** The directory, made on the first call (with a shutdown hook that removes it unless {@link #keep()} was called). */
    synchronized Path directory() throws IOException {
        if (dir == null) {
            dir = Files.createTempDirectory(prefix);
            Runtime.getRuntime().addShutdownHook(new Thread(this::removeUnlessKept, "jvfio-guest-outputs"));
        }
        return dir;
    }

    /** A guest run begins: until it ends, the directory is kept. */
    synchronized void runStarted() {
        running++;
    }

    /** A guest run ended; one that went wrong keeps the directory. */
    synchronized void runEnded(boolean wentWell) {
        running--;
        if (!wentWell) {
            keep = true;
        }
    }

    /** Keeps the directory past the JVM's exit. */
    synchronized void keep() {
        keep = true;
    }

    /**
     * Removes the directory and what is in it (symbolic links as links, never what they lead to) unless
     * kept or a run is still going (the JVM ends mid-run); an empty one goes anyway (the failed runs
     * wrote elsewhere).
     */
    synchronized void removeUnlessKept() {
        if (dir == null) {
            return;
        }
        try {
            if ((keep || running > 0) && !isEmpty(dir)) {
                return;
            }
            try (Stream<Path> paths = Files.walk(dir)) { // links are not followed
                for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
            dir = null;
        } catch (IOException e) {
            System.err.println("jvfio: could not remove the guest outputs in " + dir + ": " + e);
        }
    }

    private static boolean isEmpty(Path d) throws IOException {
        try (Stream<Path> entries = Files.list(d)) {
            return entries.findAny().isEmpty();
        }
    }
}
