package io.jvfio.testing.junit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Tells the extension which test classes the host's launcher is about to run, so that the
 * {@link VfioGuest} classes that ask for the same guest share one boot. The JUnit Platform registers it
 * through {@code META-INF/services} when jvfio-testing is on the class path; where it is not registered
 * (the module path, a test kit), every class boots a guest of its own.
 */
public final class GuestPlan implements TestExecutionListener {
    private static volatile List<String> classes = List.of();
    /** Per top-level class, the tests of it the plan selected: the uppermost method-level nodes, as keys. */
    private static volatile Map<String, List<String>> selected = Map.of();
    private static volatile int generation;

    /** For the ServiceLoader. */
    public GuestPlan() {}

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        List<String> names = new ArrayList<>();
        Map<String, List<String>> tests = new HashMap<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                // Top-level test classes only: a @Nested class runs in its enclosing class's guest.
                if (isClass(id) && plan.getParent(id).filter(GuestPlan::isClass).isEmpty()) {
                    String name = ((ClassSource) id.getSource().orElseThrow()).getClassName();
                    names.add(name);
                    tests.put(name, selectedTests(plan, id));
                }
            }
        }
        classes = List.copyOf(names);
        selected = Map.copyOf(tests);
        generation++;
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        classes = List.of();
        selected = Map.of();
    }

    /** A class's tests in the plan: methods, templates and factories, also those of its @Nested classes. */
    private static List<String> selectedTests(TestPlan plan, TestIdentifier testClass) {
        List<String> keys = new ArrayList<>();
        for (TestIdentifier id : plan.getDescendants(testClass)) {
            boolean method = id.getSource().filter(MethodSource.class::isInstance).isPresent();
            boolean underMethod = plan.getParent(id).flatMap(TestIdentifier::getSource).filter(MethodSource.class::isInstance).isPresent();
            if (method && !underMethod) {
                keys.add(GuestResults.key(id.getUniqueId()));
            }
        }
        return List.copyOf(keys);
    }

    /**
     * The tests of {@code testClass} the plan running now selected (keys, as {@link GuestResults#key}),
     * for the guest to run those only; empty when the plan is unknown or does not hold the class.
     */
    static Optional<List<String>> selected(String testClass) {
        return Optional.ofNullable(selected.get(testClass));
    }

    /** The top-level test classes of the plan running now, in its order; empty when unknown. */
    static List<String> classes() {
        return classes;
    }

    /** Changes with every plan: guest runs are shared within one plan only. */
    static int generation() {
        return generation;
    }

    private static boolean isClass(TestIdentifier id) {
        return id.getSource().map(TestSource.class::cast).filter(ClassSource.class::isInstance).isPresent();
    }
}
