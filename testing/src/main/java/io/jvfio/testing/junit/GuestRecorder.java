package io.jvfio.testing.junit;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/** In the guest: records each test's and container's result, and prints one line for each test. */
final class GuestRecorder implements TestExecutionListener {
    private final List<GuestResult> results = new ArrayList<>();
    private final PrintStream out;

    GuestRecorder(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier test, String reason) {
        record(test, GuestResult.Status.SKIPPED, reason, List.of());
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        List<GuestThrowable> error = result.getThrowable().map(GuestThrowable::chain).orElse(List.of());
        String reason = result.getThrowable().map(Throwable::getMessage).orElse(null);
        GuestResult.Status status = switch (result.getStatus()) {
            case SUCCESSFUL -> GuestResult.Status.PASSED;
            case ABORTED -> GuestResult.Status.ABORTED;
            case FAILED -> GuestResult.Status.FAILED;
        };
        record(test, status, reason, error);
    }

    private void record(TestIdentifier test, GuestResult.Status status, String reason, List<GuestThrowable> error) {
        results.add(new GuestResult(test.getUniqueId(), test.getDisplayName(), status, reason, error));
        if (test.isTest() || status != GuestResult.Status.PASSED) {
            out.println("jvfio guest: " + test.getDisplayName() + " " + status.name().toLowerCase()
                    + (reason == null ? "" : ": " + reason));
        }
    }

    synchronized GuestResults results() {
        return new GuestResults(results);
    }
}
