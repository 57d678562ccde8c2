package io.jvfio.testing;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the guest harness and what it started (the package-installation case is in QemuGuestRunnerTest). */
class HarnessProcessesTest {
    /**
     * A harness that ignores TERM and forks on it (a trap), and a child that ignores TERM: each gets a
     * TERM, and KILL once the grace is up; the child forked after the first look is not missed.
     */
    @Test
    void whatIgnoresTermOrIsForkedMeanwhileIsKilledAfterTheGrace(@TempDir Path dir) throws Exception {
        Path forked = dir.resolve("forked.pid");
        Path stubborn = dir.resolve("stubborn.pid");
        Process harness = new ProcessBuilder("bash", "-c", "trap 'sleep 300 & echo $! > " + forked + "' TERM;"
                + " bash -c 'trap \"\" TERM; echo $$ > " + stubborn + "; while :; do sleep 0.05; done' &"
                + " while :; do sleep 0.05; done").start();
        List<ProcessHandle> left = new ArrayList<>();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(stubborn) && System.nanoTime() < deadline) {
                Thread.sleep(10); // until the stubborn child runs
            }
            HarnessProcesses.stop(harness, Duration.ofSeconds(2));
            // Hang guards, not timing: a KILLed process ends at once, but may wait a moment for its reaper.
            assertTrue(harness.waitFor(60, TimeUnit.SECONDS), "the harness, which ignores TERM, runs on");
            for (Path pidFile : List.of(stubborn, forked)) {
                assertTrue(Files.exists(pidFile), pidFile + " written");
                Optional<ProcessHandle> p = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
                p.ifPresent(left::add);
                if (p.isPresent()) {
                    ProcessHandle h = p.get();
                    assertDoesNotThrow(() -> h.onExit().get(60, TimeUnit.SECONDS), pidFile.getFileName() + " runs on");
                }
            }
        } finally {
            harness.destroyForcibly();
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }
}
