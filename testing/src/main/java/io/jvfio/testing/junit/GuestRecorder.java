package io.jvfio.testing.junit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * In the guest: records each test's and container's result, prints one line for each test, and
 * rewrites the results file at every start and end of a test, so that the file always says how far
 * the run got: a test recorded as STARTED is the one that was running when the run was cut short.
 */
final class GuestRecorder implements TestExecutionListener {
    private final Map<String, GuestResult> results = new LinkedHashMap<>();
    private final PrintStream out;
    private final Path file;

    GuestRecorder(PrintStream out, Path file) {
        this.out = out;
        this.file = file;
    }

    @Override
    public synchronized void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            results.put(test.getUniqueId(), new GuestResult(test.getUniqueId(), test.getDisplayName(),
                    GuestResult.Status.STARTED, null, List.of()));
            write(false);
        }
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
        results.put(test.getUniqueId(), new GuestResult(test.getUniqueId(), test.getDisplayName(), status, reason, error));
        write(false);
        if (test.isTest() || status != GuestResult.Status.PASSED) {
            out.println("jvfio guest: " + test.getDisplayName() + " " + status.name().toLowerCase()
                    + (reason == null ? "" : ": " + reason));
        }
    }

    /** Marks the results complete: every selected class ran to its end. */
    synchronized void complete() {
        write(true);
    }

    private void write(boolean complete) {
        try {
            new GuestResults(List.copyOf(results.values()), complete).write(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the guest's results to " + file, e);
        }
    }
}
