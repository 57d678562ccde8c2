package io.jvfio.testing.junit;

import java.nio.file.Path;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** On the host: ends a test as the guest's run of it ended. */
final class GuestReplay {
    private final GuestResults results;
    private final Path resultsFile;
    private final Path serialLog;

    GuestReplay(GuestResults results, Path resultsFile, Path serialLog) {
        this.results = results;
        this.resultsFile = resultsFile;
        this.serialLog = serialLog;
    }

    /** Returns for a pass; throws the guest's failure, its skip or abort as an abort, or says the guest never ran it. */
    void test(String uniqueId, String displayName) {
        GuestResult r = results.find(uniqueId).orElseThrow(() -> notReported(uniqueId, displayName));
        switch (r.status()) {
            case PASSED -> { }
            case FAILED -> throw failure(r);
            case ABORTED -> throw new TestAbortedException(r.reason() == null ? "aborted in the guest" : r.reason());
            case SKIPPED -> throw new TestAbortedException("skipped in the guest: " + r.reason());
        }
    }

    /** Throws a container's failure in the guest (a class whose @AfterAll threw, say); returns otherwise. */
    void container(String uniqueId) {
        results.find(uniqueId).filter(r -> r.status() == GuestResult.Status.FAILED).ifPresent(r -> {
            throw failure(r);
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
                .orElseGet(() -> new AssertionFailedError("the guest did not report " + displayName + " ("
                        + GuestResults.key(uniqueId) + ") among its " + results.all().size() + " results in " + resultsFile
                        + "; the guest's console is in " + serialLog));
    }
}
