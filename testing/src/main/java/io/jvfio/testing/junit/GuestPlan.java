package io.jvfio.testing.junit;

import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
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
    private static volatile int generation;

    /** For the ServiceLoader. */
    public GuestPlan() {}

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        List<String> names = new ArrayList<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier id : plan.getDescendants(root)) {
                // Top-level test classes only: a @Nested class runs in its enclosing class's guest.
                if (isClass(id) && plan.getParent(id).filter(GuestPlan::isClass).isEmpty()) {
                    names.add(((ClassSource) id.getSource().orElseThrow()).getClassName());
                }
            }
        }
        classes = List.copyOf(names);
        generation++;
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        classes = List.of();
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
