package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * This JVM's own temporary directory for guest outputs, for runs outside a Maven project: made on
 * first use and removed when the JVM exits, unless a guest run in it went wrong. Then it stays:
 * the failures name its serial logs and results.
 */
final class TemporaryOutputs {
    private final String prefix;
    private Path dir;
    private volatile boolean keep;

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

    /** Keeps the directory past the JVM's exit. */
    void keep() {
        keep = true;
    }

    /**
     * Removes the directory and what is in it (symbolic links as links, never what they lead to) unless
     * kept; an empty one goes anyway (the failed runs wrote elsewhere).
     */
    synchronized void removeUnlessKept() {
        if (dir == null) {
            return;
        }
        try {
            if (keep && !isEmpty(dir)) {
                return;
            }
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
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
