package io.jvfio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvfio.pci.PciAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where `jvfio bind` remembers drivers: root writes there, so only a private directory will do. */
class DriverMemoryTest {
    private static final PciAddress EDU = PciAddress.parse("0000:00:04.0");

    @TempDir
    Path root;

    @Test
    void theDirectoryIsCreatedPrivateAndRemembers() throws Exception {
        Path dir = root.resolve("state");
        DriverMemory memory = new DriverMemory(dir);
        assertEquals(Optional.empty(), memory.recall(EDU));
        memory.remember(EDU, "e1000e");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals(Optional.of("e1000e"), memory.recall(EDU));
        memory.forget(EDU);
        assertEquals(Optional.empty(), memory.recall(EDU));
    }

    @Test
    void aSymlinkedDirectoryIsRefused() throws Exception {
        Path elsewhere = Files.createDirectory(root.resolve("elsewhere"));
        Path dir = Files.createSymbolicLink(root.resolve("state"), elsewhere);
        IOException e = assertThrows(IOException.class, () -> new DriverMemory(dir).remember(EDU, "e1000e"));
        assertTrue(e.getMessage().contains("it is a symbolic link"), e.getMessage());
        assertTrue(isEmpty(elsewhere), "root wrote through the symlink");
    }

    @Test
    void aDirectoryOthersCanWriteToIsRefused() throws Exception {
        Path dir = Files.createDirectory(root.resolve("state"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        IOException e = assertThrows(IOException.class, () -> new DriverMemory(dir).remember(EDU, "e1000e"));
        assertTrue(e.getMessage().contains("is writable by others (rwxrwxrwx)"), e.getMessage());
        assertTrue(isEmpty(dir));
    }

    @Test
    void aDirectoryOwnedBySomeoneElseIsRefused() throws Exception {
        assumeTrue((int) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0, "only root can give a directory away");
        Path dir = Files.createDirectory(root.resolve("state"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setAttribute(dir, "unix:uid", 65534);
        IOException e = assertThrows(IOException.class, () -> new DriverMemory(dir).remember(EDU, "e1000e"));
        assertTrue(e.getMessage().contains("not to this user"), e.getMessage());
        assertTrue(isEmpty(dir));
    }

    @Test
    void aSymlinkedStateFileIsNotFollowed() throws Exception {
        Path victim = Files.writeString(root.resolve("precious"), "precious\n");
        Path dir = Files.createDirectory(root.resolve("state"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.createSymbolicLink(dir.resolve(EDU + ".driver"), victim);
        assertThrows(IOException.class, () -> new DriverMemory(dir).remember(EDU, "e1000e"));
        assertEquals("precious\n", Files.readString(victim), "root's write went through the symlink");
        assertThrows(IOException.class, () -> new DriverMemory(dir).recall(EDU), "nor is it read through one");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
