package io.jvfio.testing.junit;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
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
    /** The keys of the tests and containers the host has replayed; a class's end looks for failures left over. */
    private final Set<String> replayed = ConcurrentHashMap.newKeySet();
    /**
     * Tests the host asked for but did not see end: those its conditions disabled, and parameterized
     * tests and factories it ran (their cases in the guest are under them).
     */
    private final Set<String> askedOnHost = ConcurrentHashMap.newKeySet();

    /** Told when a test the host asked for is found missing: its failure names the run's files. */
    private final Runnable keepOutputs;

    /** {@code runFailure}: why the guest's run did not end well (exit status, timeout, crash), if it did not. */
    GuestReplay(GuestResults results, Path resultsFile, Path serialLog, Optional<String> runFailure, Runnable keepOutputs) {
        this.results = results;
        this.resultsFile = resultsFile;
        this.serialLog = serialLog;
        this.runFailure = runFailure;
        this.keepOutputs = keepOutputs;
    }

    /** Whether the run ended well and no test in it failed or was left running (a test found missing later is told apart). */
    boolean wentWell() {
        return runFailure.isEmpty() && results.all().stream()
                .noneMatch(r -> r.status() == GuestResult.Status.FAILED || r.status() == GuestResult.Status.STARTED);
    }

    /** The display name the guest gave the test, if it reported it. */
    Optional<String> guestName(String uniqueId) {
        return results.find(uniqueId).map(GuestResult::displayName);
    }

    /** Returns for a pass; throws the guest's failure, its skip or abort as an abort, or says the guest never ran it. */
    void test(String uniqueId, String displayName) {
        replayed.add(GuestResults.key(uniqueId));
        Optional<GuestResult> found = results.find(uniqueId);
        if (found.isEmpty()) {
            Optional<GuestResult> aborted = results.endedAncestor(uniqueId).filter(a -> a.status() != GuestResult.Status.FAILED);
            if (aborted.isPresent()) {
                throw new TestAbortedException("not run in the guest: " + aborted.get().displayName() + " was "
                        + aborted.get().status().name().toLowerCase(Locale.ROOT) + " before it: " + aborted.get().reason());
            }
            throw notReported(uniqueId, displayName);
        }
        GuestResult r = found.get();
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
        String key = GuestResults.key(uniqueId);
        replayed.add(key);
        results.find(uniqueId).filter(r -> r.status() == GuestResult.Status.FAILED).ifPresent(r -> {
            throw failure(r);
        });
        runFailure.ifPresent(reason -> {
            throw new IllegalStateException("the guest's run failed: " + reason);
        });
        refuseUnreplayedFailures(key);
    }

    /** A test the host's conditions disabled. */
    void disabledOnHost(String uniqueId) {
        askedOnHost.add(GuestResults.key(uniqueId));
    }

    /** A parameterized test or a factory the host ran a case of, or tried to. */
    void templateOnHost(String uniqueId) {
        askedOnHost.add(GuestResults.key(uniqueId));
    }

    /**
     * Failures in the guest, under {@code containerKey}, of tests the host asked for but did not see
     * end: a test enabled in the guest only (an @EnabledIf that holds there), parameterized cases the
     * guest's sources gave and the host's did not. Left out, they would pass the class unseen. Tests
     * the host did not select (-Dtest=Class#method) are not among them: the guest runs whole classes.
     */
    private void refuseUnreplayedFailures(String containerKey) {
        List<GuestResult> unseen = results.all().stream()
                .filter(r -> r.status() == GuestResult.Status.FAILED)
                .filter(r -> GuestResults.key(r.uniqueId()).startsWith(containerKey + "/"))
                .filter(r -> !replayed.contains(GuestResults.key(r.uniqueId())))
                .filter(r -> askedForByHost(GuestResults.key(r.uniqueId())))
                .toList();
        if (unseen.isEmpty()) {
            return;
        }
        AssertionFailedError e = new AssertionFailedError(unseen.size() + " test(s) failed in the guest that the host did"
                + " not run (enabled in the guest only, or cases the guest's sources gave): "
                + unseen.stream().map(r -> r.displayName() + " (" + GuestResults.key(r.uniqueId()) + ")")
                        .collect(Collectors.joining(", ")) + "; results in " + resultsFile, failure(unseen.get(0)));
        throw e;
    }

    /** A disabled parameterized test or factory names its template: its cases in the guest are under it. */
    private boolean askedForByHost(String key) {
        return askedOnHost.stream().anyMatch(t -> key.equals(t) || key.startsWith(t + "/"));
    }

    private static AssertionFailedError failure(GuestResult r) {
        return r.error().isEmpty() ? new AssertionFailedError(r.displayName() + " failed in the guest, with no exception")
                : GuestThrowable.toHost(r.error());
    }

    private AssertionFailedError notReported(String uniqueId, String displayName) {
        keepOutputs.run();
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
