package io.jvfio.testing.junit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * In the guest: records each test's and container's result, prints one line for each test, and
 * appends each start and end of a test to the results' journal, so that it always says how far the
 * run got: a test recorded as STARTED is the one that was running when the run was cut short. At
 * the end it writes the complete results file.
 */
final class GuestRecorder implements TestExecutionListener {
    private final Map<String, GuestResult> results = new LinkedHashMap<>();
    private final PrintStream out;
    private final Path file;
    private final Writer journal;

    GuestRecorder(PrintStream out, Path file) throws IOException {
        this.out = out;
        this.file = file;
        this.journal = Files.newBufferedWriter(GuestResults.journal(file), StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void executionStarted(TestIdentifier test) {
        if (test.isTest()) {
            note(new GuestResult(test.getUniqueId(), test.getDisplayName(), GuestResult.Status.STARTED, null, List.of()));
        }
    }

    @Override
    public synchronized void executionSkipped(TestIdentifier test, String reason) {
        record(test, GuestResult.Status.SKIPPED, reason, List.of());
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        List<GuestThrowable> error = result.getThrowable().map(GuestThrowable::chain).orElse(List.of());
        String reason = result.getThrowable().map(GuestThrowable::message).orElse(null);
        GuestResult.Status status = switch (result.getStatus()) {
            case SUCCESSFUL -> GuestResult.Status.PASSED;
            case ABORTED -> GuestResult.Status.ABORTED;
            case FAILED -> GuestResult.Status.FAILED;
        };
        record(test, status, reason, error);
    }

    private void record(TestIdentifier test, GuestResult.Status status, String reason, List<GuestThrowable> error) {
        note(new GuestResult(test.getUniqueId(), test.getDisplayName(), status, reason, error));
        if (test.isTest() || status != GuestResult.Status.PASSED) {
            out.println("jvfio guest: " + test.getDisplayName() + " " + status.name().toLowerCase()
                    + (reason == null ? "" : ": " + reason));
        }
    }

    private void note(GuestResult result) {
        results.put(result.uniqueId(), result);
        try {
            GuestResults.append(journal, result);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the guest's results to " + GuestResults.journal(file), e);
        }
    }

    /** Writes the complete results: every selected class ran to its end. */
    synchronized void complete() throws IOException {
        new GuestResults(List.copyOf(results.values()), true).write(file);
        journal.close();
        Files.deleteIfExists(GuestResults.journal(file));
    }
}
