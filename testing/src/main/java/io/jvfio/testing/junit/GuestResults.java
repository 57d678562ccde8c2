package io.jvfio.testing.junit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * What the guest reported for one test class, keyed so that the host finds each result by its own
 * unique ID; and the file that carries them from the guest to the host, a properties file.
 */
final class GuestResults {
    private final Map<String, GuestResult> byKey = new LinkedHashMap<>();
    private final boolean complete;

    /** Complete results: every selected class ran to its end. */
    GuestResults(List<GuestResult> results) {
        this(results, true);
    }

    GuestResults(List<GuestResult> results, boolean complete) {
        results.forEach(r -> byKey.put(key(r.uniqueId()), r));
        this.complete = complete;
    }

    /** Whether the guest's run got to its end; if not, tests it never reported did not run or did not finish. */
    boolean complete() {
        return complete;
    }

    List<GuestResult> all() {
        return List.copyOf(byKey.values());
    }

    Optional<GuestResult> find(String uniqueId) {
        return Optional.ofNullable(byKey.get(key(uniqueId)));
    }

    /** The nearest enclosing container that failed in the guest, e.g. the class whose @BeforeAll threw. */
    Optional<GuestResult> failedAncestor(String uniqueId) {
        return ancestor(uniqueId, EnumSet.of(GuestResult.Status.FAILED));
    }

    /** The nearest enclosing container that failed, was aborted (an assumption in @BeforeAll) or skipped in the guest. */
    Optional<GuestResult> endedAncestor(String uniqueId) {
        return ancestor(uniqueId, EnumSet.of(GuestResult.Status.FAILED, GuestResult.Status.ABORTED, GuestResult.Status.SKIPPED));
    }

    private Optional<GuestResult> ancestor(String uniqueId, Set<GuestResult.Status> statuses) {
        String key = key(uniqueId);
        for (int cut = key.lastIndexOf("/["); cut > 0; cut = key.lastIndexOf("/[", cut - 1)) {
            GuestResult r = byKey.get(key.substring(0, cut));
            if (r != null && statuses.contains(r.status())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The unique ID from the test class down, e.g. {@code [class:a.B]/[method:c()]}: the same in the
     * guest and on the host, whichever engines (a suite, the test kit) enclose the class on the host.
     */
    static String key(String uniqueId) {
        int cls = uniqueId.indexOf("[class:");
        return cls < 0 ? uniqueId : uniqueId.substring(cls);
    }

    /**
     * Writes the file whole or not at all: a half-written file would look like tests the guest never ran.
     * As a byte stream, which escapes every character beyond Latin-1 (the properties format's escapes):
     * a UTF-8 writer refuses a lone surrogate (JUnit cuts a long display name between the halves of an
     * emoji), and the whole run's results would be lost for one name.
     */
    void write(Path file) throws IOException {
        Properties p = properties();
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial))) {
            p.store(out, "jvfio guest test results");
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Where the guest writes each result as it comes, one line each, while it runs: appending costs
     * what one result costs, where rewriting the file at every start and end of a test grew with the
     * tests run so far. The complete file replaces it at the run's end.
     */
    static Path journal(Path file) {
        return file.resolveSibling(file.getFileName() + ".journal");
    }

    /** Appends {@code result} to a journal as one line (its properties, in Base64) and flushes it. */
    static void append(Writer journal, GuestResult result) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new GuestResults(List.of(result), false).properties().store(bytes, null);
        journal.write(Base64.getEncoder().encodeToString(bytes.toByteArray()));
        journal.write('\n');
        journal.flush();
    }

    /** Whether the guest wrote results: the complete file, or the journal of a run cut short. */
    static boolean written(Path file) {
        return Files.isRegularFile(file) || Files.isRegularFile(journal(file));
    }

    private Properties properties() {
        Properties p = new Properties();
        List<GuestResult> all = all();
        p.setProperty("results", Integer.toString(all.size()));
        p.setProperty("complete", Boolean.toString(complete));
        for (int i = 0; i < all.size(); i++) {
            GuestResult r = all.get(i);
            String k = "result." + i + ".";
            p.setProperty(k + "id", r.uniqueId());
            p.setProperty(k + "name", r.displayName());
            p.setProperty(k + "status", r.status().name());
            putIfSet(p, k + "reason", r.reason());
            p.setProperty(k + "errors", Integer.toString(r.error().size()));
            for (int j = 0; j < r.error().size(); j++) {
                GuestThrowable t = r.error().get(j);
                String e = k + "error." + j + ".";
                p.setProperty(e + "class", t.className());
                putIfSet(p, e + "message", t.message());
                p.setProperty(e + "assertion", Boolean.toString(t.assertion()));
                putIfSet(p, e + "expected", t.expected());
                putIfSet(p, e + "actual", t.actual());
                p.setProperty(e + "frames", frames(t.frames()));
                p.setProperty(e + "parent", Integer.toString(t.parent()));
                p.setProperty(e + "suppressed", Boolean.toString(t.suppressed()));
            }
        }
        return p;
    }

    /** The complete file; else, for a run cut short, its journal, each test's last line (complete() false). */
    static GuestResults read(Path file) throws IOException {
        if (!Files.isRegularFile(file) && Files.isRegularFile(journal(file))) {
            return readJournal(journal(file));
        }
        Properties p = new Properties();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            p.load(in);
        }
        return parse(p, file);
    }

    private static GuestResults readJournal(Path journal) throws IOException {
        String text = Files.readString(journal, StandardCharsets.UTF_8);
        // Whole lines only: one without its newline was being written when the run was cut short.
        String[] lines = text.substring(0, text.lastIndexOf('\n') + 1).split("\n");
        Map<String, GuestResult> byId = new LinkedHashMap<>();
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isEmpty()) {
                continue;
            }
            try {
                Properties p = new Properties();
                p.load(new ByteArrayInputStream(Base64.getDecoder().decode(lines[i])));
                parse(p, journal).all().forEach(r -> byId.put(r.uniqueId(), r));
            } catch (IllegalArgumentException e) {
                throw new IOException("the guest's results journal " + journal + " is not readable at line " + (i + 1)
                        + ": " + e.getMessage(), e);
            }
        }
        return new GuestResults(List.copyOf(byId.values()), false);
    }

    private static GuestResults parse(Properties p, Path file) throws IOException {
        try {
            List<GuestResult> results = new ArrayList<>();
            int count = Integer.parseInt(required(p, "results"));
            for (int i = 0; i < count; i++) {
                String k = "result." + i + ".";
                List<GuestThrowable> error = new ArrayList<>();
                int errors = Integer.parseInt(required(p, k + "errors"));
                for (int j = 0; j < errors; j++) {
                    String e = k + "error." + j + ".";
                    int parent = Integer.parseInt(required(p, e + "parent"));
                    if (j == 0 ? parent != -1 : parent < 0 || parent >= j) {
                        throw new IllegalArgumentException(e + "parent is " + parent + ": a throwable hangs under one before it");
                    }
                    error.add(new GuestThrowable(required(p, e + "class"), p.getProperty(e + "message"),
                            Boolean.parseBoolean(p.getProperty(e + "assertion")), p.getProperty(e + "expected"),
                            p.getProperty(e + "actual"), frames(p.getProperty(e + "frames", "")), parent,
                            Boolean.parseBoolean(p.getProperty(e + "suppressed"))));
                }
                results.add(new GuestResult(required(p, k + "id"), required(p, k + "name"),
                        GuestResult.Status.valueOf(required(p, k + "status")), p.getProperty(k + "reason"), error));
            }
            return new GuestResults(results, Boolean.parseBoolean(required(p, "complete")));
        } catch (IllegalArgumentException e) {
            throw new IOException("the guest's results in " + file + " are not readable: " + e.getMessage(), e);
        }
    }

    private static void putIfSet(Properties p, String key, String value) {
        if (value != null) {
            p.setProperty(key, value);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return v;
    }

    /** One frame a line: class, method, file (empty if unknown) and line, tab-separated. */
    private static String frames(List<StackTraceElement> frames) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement f : frames) {
            b.append(f.getClassName()).append('\t').append(f.getMethodName()).append('\t')
                    .append(f.getFileName() == null ? "" : f.getFileName()).append('\t').append(f.getLineNumber()).append('\n');
        }
        return b.toString();
    }

    private static List<StackTraceElement> frames(String text) {
        List<StackTraceElement> frames = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.isEmpty()) {
                String[] f = line.split("\t", -1);
                if (f.length != 4) {
                    throw new IllegalArgumentException("a stack frame is not class, method, file and line: " + line);
                }
                frames.add(new StackTraceElement(f[0], f[1], f[2].isEmpty() ? null : f[2], Integer.parseInt(f[3])));
            }
        }
        return frames;
    }
}
