package io.jvfio.testing.junit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The QEMU runner and the real guest-exec.sh, with a stand-in for QEMU that runs the guest's command
 * on the host (resources: qemu-system-x86_64): everything but the virtual machine, without booting one.
 */
public class FakeQemuRunner implements GuestRunner {
    private final QemuGuestRunner qemu;

    public FakeQemuRunner() {
        Path bin = Path.of("target", "fake-qemu").toAbsolutePath();
        Map<String, String> env = new HashMap<>(System.getenv());
        env.remove("JVFIO_HOME"); // found from this checkout, as a developer's test run finds it
        env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        // Images the stand-in never reads: set, they keep guest-exec.sh from building a kernel and an initramfs.
        env.put("JVFIO_GUEST_KERNEL", bin.resolve("bzImage").toString());
        env.put("JVFIO_GUEST_INITRAMFS", bin.resolve("initramfs.cpio.gz").toString());
        try (InputStream script = FakeQemuRunner.class.getResourceAsStream(QemuGuestRunner.QEMU)) {
            Files.createDirectories(bin);
            Path fake = bin.resolve(QemuGuestRunner.QEMU);
            Files.copy(script, fake, StandardCopyOption.REPLACE_EXISTING);
            if (!fake.toFile().setExecutable(true)) {
                throw new IOException("cannot make " + fake + " executable");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        qemu = new QemuGuestRunner(env);
    }

    @Override
    public GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log)
            throws IOException, InterruptedException {
        return qemu.run(spec, command, out, log);
    }
}
