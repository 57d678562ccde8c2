package io.jvfio.testing.junit;

import java.nio.file.Path;
import java.util.Optional;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * On the host: ends a test as the guest's run of it ended. A guest run that was cut short (its JVM
 * crashed, a test hung until the timeout) still replays what it reported; the test that was running
 * and those that never ran fail with the reason the run ended, and so does each class of the run.
 */
final class GuestReplay {
    private final GuestResults results;
    private final Path resultsFile;
    private final Path serialLog;
    private final Optional<String> runFailure;

    /** {@code runFailure}: why the guest's run did not end well (exit status, timeout, crash), if it did not. */
    GuestReplay(GuestResults results, Path resultsFile, Path serialLog, Optional<String> runFailure) {
        this.results = results;
        this.resultsFile = resultsFile;
        this.serialLog = serialLog;
        this.runFailure = runFailure;
    }

    /** Returns for a pass; throws the guest's failure, its skip or abort as an abort, or says the guest never ran it. */
    void test(String uniqueId, String displayName) {
        GuestResult r = results.find(uniqueId).orElseThrow(() -> notReported(uniqueId, displayName));
        switch (r.status()) {
            case PASSED -> { }
            case FAILED -> throw failure(r);
            case ABORTED -> throw new TestAbortedException(r.reason() == null ? "aborted in the guest" : r.reason());
            case SKIPPED -> throw new TestAbortedException("skipped in the guest: " + r.reason());
            case STARTED -> throw new AssertionFailedError(displayName + " started in the guest and never ended: "
                    + runFailure.orElse("the guest's run ended while it ran") + " (the guest's console: " + serialLog + ")");
        }
    }

    /**
     * Throws a container's failure in the guest (a class whose @AfterAll threw, say), or the reason the
     * guest's run failed; returns otherwise.
     */
    void container(String uniqueId) {
        results.find(uniqueId).filter(r -> r.status() == GuestResult.Status.FAILED).ifPresent(r -> {
            throw failure(r);
        });
        runFailure.ifPresent(reason -> {
            throw new IllegalStateException("the guest's run failed: " + reason);
        });
    }

    private static AssertionFailedError failure(GuestResult r) {
        return r.error().isEmpty() ? new AssertionFailedError(r.displayName() + " failed in the guest, with no exception")
                : GuestThrowable.toHost(r.error());
    }

    private AssertionFailedError notReported(String uniqueId, String displayName) {
        return results.failedAncestor(uniqueId)
                .map(c -> new AssertionFailedError("did not run in the guest: " + c.displayName() + " failed before it: "
                        + c.reason(), failure(c)))
                .orElseGet(() -> new AssertionFailedError(!results.complete()
                        ? "did not run in the guest: the guest's run ended before it: "
                                + runFailure.orElse("its results are incomplete") + " (the guest's console: " + serialLog + ")"
                        : "the guest did not report " + displayName + " (" + GuestResults.key(uniqueId) + ") among its "
                                + results.all().size() + " results in " + resultsFile + "; the guest's console is in " + serialLog));
    }
}
