package io.jvfio.cli;

import io.jvfio.pci.PciAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Remembers which driver `jvfio bind` took a device from, so that `jvfio unbind` can give it back.
 * Kept under /run (gone at reboot, like the binding itself), or $JVFIO_STATE_DIR.
 */
final class DriverMemory {
    private final Path dir;

    DriverMemory(Path dir) {
        this.dir = dir;
    }

    static DriverMemory system() {
        String configured = System.getenv("JVFIO_STATE_DIR");
        if (configured != null && !configured.isEmpty()) {
            return new DriverMemory(Path.of(configured));
        }
        Path run = Path.of("/run");
        return new DriverMemory(Files.isWritable(run) ? run.resolve("jvfio") : Path.of(System.getProperty("java.io.tmpdir"), "jvfio-state"));
    }

    void remember(PciAddress a, String driver) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(file(a), driver, StandardCharsets.US_ASCII);
    }

    /** The driver the device had before `jvfio bind` ("" for none), if jvfio bound it. */
    Optional<String> recall(PciAddress a) throws IOException {
        Path f = file(a);
        return Files.exists(f) ? Optional.of(Files.readString(f, StandardCharsets.US_ASCII).trim()) : Optional.empty();
    }

    void forget(PciAddress a) throws IOException {
        Files.deleteIfExists(file(a));
    }

    private Path file(PciAddress a) {
        return dir.resolve(a + ".driver");
    }
}
