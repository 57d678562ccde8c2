package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The guest runs of the current test plan, one per distinct guest: the first {@link VfioGuest} class
 * that asks for a guest boots it for every class of the plan that asks for the same one
 * ({@link GuestPlan}), and the others take their results from that run.
 */
final class GuestRuns {
    /**
     * A guest run as each of its classes sees it: the replay of its results, or why it has none, which
     * completes "CLASS did not run in the guest", e.g. " (exit status 1): the guest timed out".
     */
    record Run(List<String> classes, GuestReplay replay, String failure, Throwable cause) {
        Run(List<String> classes, GuestReplay replay, String failure) {
            this(classes, replay, failure, null);
        }
    }

    private record Key(int plan, GuestSpec spec) {}

    private static final Map<Key, Run> RUNS = new HashMap<>();

    private GuestRuns() {}

    /**
     * The run of {@code testClass}'s guest, booting it now (with {@code boot}) unless another class of
     * the plan has; {@code specOf} gives a class's guest, empty for a class that is not a guest test.
     */
    static synchronized Run of(Class<?> testClass, GuestSpec spec, Function<Class<?>, Optional<GuestSpec>> specOf,
            Function<List<String>, Run> boot) {
        if (!GuestPlan.classes().contains(testClass.getName())) {
            return boot.apply(List.of(testClass.getName())); // not the plan's (a test kit's class): its own guest
        }
        Key key = new Key(GuestPlan.generation(), spec);
        Run run = RUNS.get(key);
        if (run == null || !run.classes().contains(testClass.getName())) {
            RUNS.keySet().removeIf(k -> k.plan() != key.plan()); // an earlier plan's runs are done
            run = boot.apply(sharing(testClass, spec, specOf));
            RUNS.put(key, run);
        }
        return run;
    }

    /** The plan's classes that ask for this guest, {@code testClass} first. */
    private static List<String> sharing(Class<?> testClass, GuestSpec spec, Function<Class<?>, Optional<GuestSpec>> specOf) {
        List<String> plan = GuestPlan.classes();
        List<String> classes = new ArrayList<>(List.of(testClass.getName()));
        ClassLoader loader = testClass.getClassLoader();
        for (String name : plan) {
            if (!name.equals(testClass.getName()) && load(name, loader).flatMap(specOf).filter(spec::equals).isPresent()) {
                classes.add(name);
            }
        }
        return classes;
    }

    /** The results file the guest writes for a run: under its first class's directory. */
    static Path resultsFile(Path out) throws IOException {
        Files.createDirectories(out);
        Path results = out.resolve("results.properties");
        Files.deleteIfExists(results);
        Files.deleteIfExists(GuestResults.journal(results));
        return results;
    }

    private static Optional<Class<?>> load(String name, ClassLoader loader) {
        try {
            return Optional.of(Class.forName(name, false, Objects.requireNonNullElse(loader, ClassLoader.getSystemClassLoader())));
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty(); // the launcher will report it; it is not this guest's to run
        }
    }
}
