package io.jvfio.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
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
     * ended (what it left behind is no longer its, and a pid reused since would not be). TERM first,
     * once each, also to what they fork meanwhile; KILL to what is left after ten seconds. Returns
     * when all of them have ended, or at most ten seconds after the KILL (one in an uninterruptible
     * wait in the kernel ends only when that wait does).
     */
    public static void stop(Process harness) {
        stop(harness, Duration.ofSeconds(10));
    }

    static void stop(Process harness, Duration grace) {
        if (!harness.isAlive()) {
            return;
        }
        // Kept here: a child whose parent ended is no longer below it.
        Set<ProcessHandle> stopping = new LinkedHashSet<>();
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        while (true) {
            // Looked for before any TERM, and below the living only: a dead one's pid may be another's now.
            Set<ProcessHandle> found = new LinkedHashSet<>();
            for (ProcessHandle p : stopping.isEmpty() ? List.of(harness.toHandle()) : stopping) {
                if (running(p)) {
                    found.add(p);
                    p.descendants().filter(d -> !stopping.contains(d) && !underPackageManager(d, harness.pid())).forEach(found::add);
                }
            }
            found.stream().filter(stopping::add).forEach(ProcessHandle::destroy); // one TERM each: bash runs a trap per TERM
            if (stopping.stream().noneMatch(HarnessProcesses::running) || System.nanoTime() > deadline || interrupted) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                interrupted = true; // one last look for new children, then KILL
            }
        }
        // Asked again: one found between its fork and its exec may be a package manager by now.
        List<ProcessHandle> left = stopping.stream().filter(p -> running(p) && !underPackageManager(p, harness.pid())).toList();
        left.forEach(ProcessHandle::destroyForcibly);
        long killDeadline = System.nanoTime() + grace.toNanos();
        while (!interrupted && left.stream().anyMatch(HarnessProcesses::running) && System.nanoTime() < killDeadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Alive and not a zombie: an orphan of the harness is a zombie until PID 1 reaps it, and a JVM or
     * Maven that is PID 1 in a container never does.
     */
    private static boolean running(ProcessHandle p) {
        if (!p.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            int afterName = stat.lastIndexOf(')'); // the command name in parentheses may hold anything
            return afterName < 0 || afterName + 2 >= stat.length() || stat.charAt(afterName + 2) != 'Z';
        } catch (IOException e) {
            return p.isAlive();
        }
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
