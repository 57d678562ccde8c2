package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.UniqueId;
import org.junit.platform.engine.support.descriptor.AbstractTestDescriptor;
import org.junit.platform.launcher.TestIdentifier;

/** The results file carries every result from the guest to the host unchanged, whatever its text holds. */
class GuestResultsTest {
    @Test
    void resultsSurviveTheFileIntact(@TempDir Path dir) throws IOException {
        GuestThrowable top = new GuestThrowable("org.opentest4j.AssertionFailedError",
                "line one\nline two\twith a tab, ünïcode = and : too, 😀 and a lone \uD83D half", true, "exp", "act",
                List.of(new StackTraceElement("a.B", "m", "B.java", 12), new StackTraceElement("a.C", "<init>", "C.java", 3)),
                -1, false);
        GuestThrowable suppressed = new GuestThrowable("java.io.UncheckedIOException", "close", false, null, null,
                List.of(new StackTraceElement("a.B", "close", "B.java", 40)), 0, true);
        GuestThrowable cause = new GuestThrowable("java.io.IOException", null, false, null, null,
                List.of(new StackTraceElement("a.B", "c", null, -2)), 0, false);
        List<GuestResult> written = List.of(
                new GuestResult("[engine:junit-jupiter]/[class:a.B]", "B", GuestResult.Status.PASSED, null, List.of()),
                new GuestResult("[engine:junit-jupiter]/[class:a.B]/[method:m()]", "m()", GuestResult.Status.FAILED,
                        top.message(), List.of(top, suppressed, cause)),
                new GuestResult("[engine:junit-jupiter]/[class:a.B]/[method:s()]", "s()", GuestResult.Status.SKIPPED,
                        "disabled", List.of()));
        Path file = dir.resolve("results.properties");

        new GuestResults(written).write(file);

        assertEquals(written, GuestResults.read(file).all());
        assertFalse(Files.exists(dir.resolve("results.properties.partial")));
    }

    @Test
    void aRunCutShortLeavesItsJournalEachTestsLastResultAndNoHalfWrittenLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("results.properties");
        GuestResult started = new GuestResult("[engine:junit-jupiter]/[class:a.B]/[method:m()]", "m()",
                GuestResult.Status.STARTED, null, List.of());
        GuestResult passed = new GuestResult(started.uniqueId(), "m()", GuestResult.Status.PASSED, null, List.of());
        GuestResult running = new GuestResult("[engine:junit-jupiter]/[class:a.B]/[method:n()]", "n() cut \uD83D",
                GuestResult.Status.STARTED, null, List.of());
        try (Writer journal = Files.newBufferedWriter(GuestResults.journal(file), StandardCharsets.UTF_8)) {
            GuestResults.append(journal, started);
            GuestResults.append(journal, passed);
            GuestResults.append(journal, running);
            journal.write("cmVzdWx0cz0x"); // the start of a line the crash cut
        }
        assertTrue(GuestResults.written(file));
        GuestResults read = GuestResults.read(file);
        assertEquals(List.of(passed, running), read.all());
        assertFalse(read.complete());
    }

    @Test
    void theHostFindsAGuestResultByItsOwnUniqueIdUnderAnyEnclosingEngine() {
        GuestResults results = new GuestResults(List.of(new GuestResult(
                "[engine:junit-jupiter]/[class:a.B]/[method:m()]", "m()", GuestResult.Status.PASSED, null, List.of())));

        assertEquals("m()", results.find("[engine:junit-platform-suite]/[suite:a.S]/[engine:junit-jupiter]"
                + "/[class:a.B]/[method:m()]").orElseThrow().displayName());
    }

    /** JUnit swallows a listener's exception: had the recorder thrown, the test would read as started, never ended. */
    @Test
    void aFailureWhoseMessageCannotBeHadIsStillRecordedAsTheTestsFailure(@TempDir Path dir) throws Exception {
        RuntimeException unprintable = new IllegalStateException() {
            @Override
            public String getMessage() {
                throw new NullPointerException("the message's field is null");
            }
        };
        TestIdentifier test = TestIdentifier.from(new AbstractTestDescriptor(
                UniqueId.forEngine("junit-jupiter").append("method", "m()"), "m()") {
            @Override
            public Type getType() {
                return Type.TEST;
            }
        });
        Path file = dir.resolve("results.properties");
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        GuestRecorder recorder = new GuestRecorder(new PrintStream(console, true, StandardCharsets.UTF_8), file);
        recorder.executionStarted(test);
        recorder.executionFinished(test, TestExecutionResult.failed(unprintable));
        recorder.complete();

        GuestResult r = GuestResults.read(file).find(test.getUniqueId()).orElseThrow();
        assertEquals(GuestResult.Status.FAILED, r.status());
        assertEquals("(its getMessage() threw java.lang.NullPointerException)", r.reason());
    }

    @Test
    void aFailureWithMoreThrowablesThanCrossKeepsItsRootCauseAndSaysTheRestStayed() {
        IllegalStateException root = new IllegalStateException("the DMA read back zeros", new java.io.IOException("root cause"));
        for (int i = 0; i < 100; i++) {
            root.addSuppressed(new RuntimeException("close " + i));
        }
        List<GuestThrowable> chain = GuestThrowable.chain(root);
        assertEquals(GuestThrowable.MAX, chain.size());
        Throwable host = GuestThrowable.toHost(chain);
        assertEquals("java.io.IOException: root cause", String.valueOf(host.getCause()), "the root cause crossed");
        Throwable[] suppressed = host.getSuppressed();
        assertEquals("java.lang.RuntimeException: close 0", suppressed[0].toString());
        assertEquals("jvfio.guest.LeftOut: at least 39 more suppressed exceptions or causes stayed in the guest (at most 63"
                + " cross)", suppressed[suppressed.length - 1].toString());
        assertEquals(GuestThrowable.MAX - 2, suppressed.length, "61 of the guest's, and the one saying the rest stayed");
    }
}
