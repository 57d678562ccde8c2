package io.jvfio.testing.junit;

import java.nio.file.Path;

/**
 * How a guest ended: the command's exit status (non-zero also when the guest never got to run it),
 * the runner's last word on why, and the guest's serial console log.
 */
record GuestExit(int status, String reason, Path serialLog) {}
