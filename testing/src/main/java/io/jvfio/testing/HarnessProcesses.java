package io.jvfio.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
     * also to what they fork meanwhile; KILL to what is left after ten seconds. Returns when all of
     * them have ended, or ten seconds after the KILL (one in an uninterruptible wait in the kernel
     * ends only when that wait does).
     */
    public static void stop(Process harness) {
        stop(harness, Duration.ofSeconds(10));
    }

    static void stop(Process harness, Duration grace) {
        if (!harness.isAlive()) {
            return;
        }
        // Kept here: a child whose parent ended is no longer among the harness's descendants.
        Set<ProcessHandle> stopping = new LinkedHashSet<>();
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        while (true) {
            // Looked for before any TERM: a child whose parent has ended is no longer below it.
            Set<ProcessHandle> found = new LinkedHashSet<>();
            for (ProcessHandle p : stopping.isEmpty() ? List.of(harness.toHandle()) : stopping) {
                found.add(p);
                p.descendants().filter(d -> !underPackageManager(d, harness.pid())).forEach(found::add);
            }
            found.stream().filter(stopping::add).forEach(ProcessHandle::destroy); // one TERM each: bash runs a trap per TERM
            if (stopping.stream().noneMatch(ProcessHandle::isAlive) || System.nanoTime() > deadline || interrupted) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                interrupted = true; // one last look for new children, then KILL
            }
        }
        stopping.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : stopping) {
            try {
                p.onExit().get(grace.toNanos(), TimeUnit.NANOSECONDS); // not forever: one in an uninterruptible wait stays
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            } catch (ExecutionException | TimeoutException e) {
                // onExit completes normally; one that will not end is left.
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
