package io.jvfio.testing.junit;

import java.util.List;

/**
 * One test or container as the guest's JUnit Platform reported it: its unique ID, display name, how it
 * ended, the skip or abort reason, and the failure as a chain of throwables (the outermost first).
 */
record GuestResult(String uniqueId, String displayName, Status status, String reason, List<GuestThrowable> error) {
    enum Status {
        /** Began and has not ended (yet, or ever: the run was cut short while it ran). */
        STARTED, PASSED, FAILED, ABORTED, SKIPPED
    }

    GuestResult {
        error = List.copyOf(error);
    }
}
