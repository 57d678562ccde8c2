package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The results file carries every result from the guest to the host unchanged, whatever its text holds. */
class GuestResultsTest {
    @Test
    void resultsSurviveTheFileIntact(@TempDir Path dir) throws IOException {
        GuestThrowable cause = new GuestThrowable("java.io.IOException", null, false, null, null,
                List.of(new StackTraceElement("a.B", "c", null, -2)));
        GuestThrowable top = new GuestThrowable("org.opentest4j.AssertionFailedError",
                "line one\nline two\twith a tab, ünïcode = and : too", true, "exp", "act",
                List.of(new StackTraceElement("a.B", "m", "B.java", 12), new StackTraceElement("a.C", "<init>", "C.java", 3)));
        List<GuestResult> written = List.of(
                new GuestResult("[engine:junit-jupiter]/[class:a.B]", "B", GuestResult.Status.PASSED, null, List.of()),
                new GuestResult("[engine:junit-jupiter]/[class:a.B]/[method:m()]", "m()", GuestResult.Status.FAILED,
                        top.message(), List.of(top, cause)),
                new GuestResult("[engine:junit-jupiter]/[class:a.B]/[method:s()]", "s()", GuestResult.Status.SKIPPED,
                        "disabled", List.of()));
        Path file = dir.resolve("results.properties");

        new GuestResults(written).write(file);

        assertEquals(written, GuestResults.read(file).all());
        assertFalse(Files.exists(dir.resolve("results.properties.partial")));
    }

    @Test
    void theHostFindsAGuestResultByItsOwnUniqueIdUnderAnyEnclosingEngine() {
        GuestResults results = new GuestResults(List.of(new GuestResult(
                "[engine:junit-jupiter]/[class:a.B]/[method:m()]", "m()", GuestResult.Status.PASSED, null, List.of())));

        assertEquals("m()", results.find("[engine:junit-platform-suite]/[suite:a.S]/[engine:junit-jupiter]"
                + "/[class:a.B]/[method:m()]").orElseThrow().displayName());
    }
}
