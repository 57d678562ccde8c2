package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Boots a guest and runs one command in it: {@link QemuGuestRunner} through jvfio's harness, or
 * {@link ContainerGuestRunner} through the same harness in jvfio's container image ({@link GuestRunners}
 * chooses). The extension's own tests run the guest side in a plain JVM with a runner of their own.
 */
interface GuestRunner {
    /**
     * Runs the command in a guest as the spec asks, with its logs under {@code out}, and says how the
     * guest ended; a guest that fails to boot, crashes or times out is a non-zero status, not an
     * exception. Throws where this runner cannot boot a guest at all, saying what is missing.
     * {@code log} takes the lines a user should see: which runner, the harness's progress, the guest's output.
     */
    GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log)
            throws IOException, InterruptedException;
}
