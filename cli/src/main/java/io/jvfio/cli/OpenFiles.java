package io.jvfio.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Which process holds a file open, found the way lsof does: through /proc/PID/fd. */
final class OpenFiles {
    private OpenFiles() {}

    /** e.g. "pid 1234 (qemu-system-x86)" for the first process holding one of {@code files}. */
    static Optional<String> holder(List<Path> files) {
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path proc : procs) {
                try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
                    for (Path fd : fds) {
                        Path target = Files.readSymbolicLink(fd);
                        if (files.contains(target)) {
                            return Optional.of("pid " + proc.getFileName() + " (" + comm(proc) + ")");
                        }
                    }
                } catch (IOException | SecurityException gone) {
                    // The process ended, or its fds are not ours to see.
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String comm(Path proc) {
        try {
            return Files.readString(proc.resolve("comm")).trim();
        } catch (IOException e) {
            return "?";
        }
    }
}
