package io.jvfio.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stopping a run of jvfio's guest harness (scripts/guest/guest-exec.sh) with what it started: for
 * jvfio's own runners, the JUnit extension's and the jvfio demo's. Before QEMU runs, the harness is
 * building the guest kernel or its initramfs, and bash would leave those running on without it (its
 * TERM trap is QEMU's, and bash runs a trap only once its foreground command ends).
 */
public final class HarnessProcesses {
    /** Left to finish: interrupted, they leave the host's packages half-installed. */
    private static final Set<String> PACKAGE_MANAGERS = Set.of("apt-get", "apt", "dpkg");

    private HarnessProcesses() {}

    /**
     * Stops {@code harness} and what it started but a package installation; nothing once it has
     * ended (what it left behind is no longer its, and a pid reused since would not be).
     */
    public static void stop(Process harness) {
        if (!harness.isAlive()) {
            return;
        }
        List<ProcessHandle> started = harness.descendants().filter(p -> !underPackageManager(p, harness.pid())).toList();
        harness.destroy();
        started.forEach(ProcessHandle::destroy);
    }

    /** Whether {@code process} is a package manager or runs under one, below the harness. */
    private static boolean underPackageManager(ProcessHandle process, long harness) {
        for (Optional<ProcessHandle> p = Optional.of(process); p.isPresent() && p.get().pid() != harness; p = p.get().parent()) {
            Optional<String> command = p.get().info().command();
            if (command.isPresent() && PACKAGE_MANAGERS.contains(Path.of(command.get()).getFileName().toString())) {
                return true;
            }
        }
        return false;
    }
}
