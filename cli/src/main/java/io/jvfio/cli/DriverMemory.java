package io.jvfio.cli;

import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

/**
 * Remembers which driver `jvfio bind` took a device from, so that `jvfio unbind` can give it back.
 * Kept in a private directory (the user's own, not a symlink, writable by no one else): under /run
 * for root (gone at reboot, like the binding itself), else under $XDG_RUNTIME_DIR or a directory named
 * for the user's uid in the temp dir; $JVFIO_STATE_DIR overrides. Its files are never followed as
 * symlinks, since root writes them.
 */
final class DriverMemory {
    private final Path dir;

    DriverMemory(Path dir) {
        this.dir = dir;
    }

    static DriverMemory system() throws IOException {
        String configured = System.getenv("JVFIO_STATE_DIR");
        if (configured != null && !configured.isEmpty()) {
            return new DriverMemory(Path.of(configured));
        }
        Path run = Path.of("/run");
        if (Files.isWritable(run)) {
            return new DriverMemory(run.resolve("jvfio"));
        }
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isEmpty()) {
            return new DriverMemory(Path.of(runtime, "jvfio"));
        }
        return new DriverMemory(Path.of(System.getProperty("java.io.tmpdir"), "jvfio-state-" + uid()));
    }

    /** Makes and checks the state directory: before a bind, so that a refused one stops it before sysfs changes. */
    void ready() throws IOException {
        privateDirectory(true);
    }

    void remember(PciAddress a, String driver) throws IOException {
        privateDirectory(true);
        Files.write(file(a), driver.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    }

    /** The driver the device had before `jvfio bind` ("" for none), if jvfio bound it. */
    Optional<String> recall(PciAddress a) throws IOException {
        if (!privateDirectory(false)) {
            return Optional.empty();
        }
        try (InputStream in = Files.newInputStream(file(a), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * The driver recorded for a device jvfio bound that has no driver now but is still kept for
     * vfio-pci: a bind cut short between its sysfs writes, or an unbind from vfio-pci since. A device
     * plugged in since is kept for none.
     */
    Optional<String> recallDriverless(PciAddress a, PciSysfs sysfs) throws IOException {
        if (sysfs.driver(a).isPresent() || !sysfs.driverOverride(a).orElse("").equals(PciSysfs.VFIO_PCI)) {
            return Optional.empty();
        }
        return recall(a);
    }

    void forget(PciAddress a) throws IOException {
        if (privateDirectory(false)) {
            Files.deleteIfExists(file(a));
        }
    }

    private Path file(PciAddress a) {
        return dir.resolve(a + ".driver");
    }

    /**
     * Checks (and with {@code create}, makes, mode 0700) the state directory; false when it does not
     * exist. Refuses a symlink, a non-directory, one owned by another user or one others may write to:
     * whoever controls it controls what root writes and reads there.
     */
    private boolean privateDirectory(boolean create) throws IOException {
        if (create) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException checkedBelow) {
                // An existing directory is used only if it passes the checks below.
            }
        }
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        }
        String refusal = null;
        if (attrs.isSymbolicLink()) {
            refusal = "is a symbolic link";
        } else if (!attrs.isDirectory()) {
            refusal = "is not a directory";
        } else if ((int) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid()) {
            refusal = "belongs to " + attrs.owner().getName() + ", not to this user";
        } else if (attrs.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || attrs.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            refusal = "is writable by others (" + PosixFilePermissions.toString(attrs.permissions()) + ")";
        }
        if (refusal != null) {
            throw new IOException("refusing the state directory " + dir + ": it " + refusal + "; remove it, or point"
                    + " JVFIO_STATE_DIR at a directory of your own with mode 0700");
        }
        return true;
    }

    /** This process's effective uid: the owner of its /proc entry. */
    static int uid() throws IOException {
        return (int) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
