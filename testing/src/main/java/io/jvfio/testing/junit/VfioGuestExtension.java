package io.jvfio.testing.junit;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The extension behind {@link VfioGuest}. On the host it boots one guest per test class before all of
 * its tests, runs the class there, and ends each test (without running its body, nor any lifecycle
 * method, on the host) as the guest's run ended. In the guest it lets everything run. On both sides it
 * supplies {@link VfioGuestDevices} parameters.
 */
public final class VfioGuestExtension implements BeforeAllCallback, AfterAllCallback, InvocationInterceptor,
        ParameterResolver, TestWatcher {
    /** A configuration parameter (or system property): the directory for the guests' logs and results. */
    static final String OUT_PARAMETER = "jvfio.guest.out";

    /** The report entry that names a parameterized case as the guest ran it, when the host's name differs. */
    static final String GUEST_NAME_ENTRY = "jvfio.guest.name";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VfioGuestExtension.class);

    /** The defaults of every attribute, for a class that registers the extension without the annotation. */
    @VfioGuest
    private static final class Defaults {}

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (GuestMain.inGuest()) {
            return;
        }
        Class<?> testClass = context.getRequiredTestClass();
        // A @Nested class ran in its enclosing class's guest: a guest of its own would be ignored.
        if (context.getStore(NAMESPACE).get(GuestReplay.class) != null) {
            Optional<VfioGuest> own = AnnotationSupport.findAnnotation(testClass, VfioGuest.class);
            Optional<VfioGuest> enclosing = guestOf(testClass.getEnclosingClass());
            if (own.isPresent() && !own.equals(enclosing)) {
                throw new IllegalStateException("@Nested " + testClass.getName() + " asks for a guest of its own (" + own.get()
                        + "), but runs in the guest of " + testClass.getEnclosingClass().getName() + " (" + enclosing.orElse(null)
                        + "): move it out, or give both the same @VfioGuest");
            }
            return;
        }
        GuestSpec.check(config(testClass), testClass);
        Map<String, String> environment = System.getenv();
        GuestSpec spec = GuestSpec.of(config(testClass), environment);
        GuestRuns.Run run = GuestRuns.of(testClass, spec,
                c -> guestOf(c).map(g -> GuestSpec.of(g, environment)),
                classes -> boot(context, spec, testClass, classes));
        if (run.failure() != null) {
            throw new IllegalStateException(testClass.getName() + " did not run in the guest" + run.failure(), run.cause());
        }
        context.getStore(NAMESPACE).put(GuestReplay.class, run.replay());
    }

    /** This JVM's own directory for guest outputs outside a Maven project. */
    private static final TemporaryOutputs OWN_TMP_OUT = new TemporaryOutputs("jvfio-guest-");

    /**
     * Where the guests' outputs go: the configuration parameter, else {@code target/jvfio-guest} of
     * a Maven project in {@code workingDir}, else a new temporary directory of this JVM's own (a
     * shared /tmp/jvfio-guest would let two runs at once, or two users, read each other's results
     * or fail on each other's files), removed at the JVM's exit unless a guest run went wrong.
     */
    static Path outRoot(Optional<String> parameter, Path workingDir) throws IOException {
        if (parameter.isPresent()) {
            return Path.of(parameter.get());
        }
        Path target = workingDir.resolve("target");
        if (Files.isDirectory(target)) {
            return target.resolve("jvfio-guest");
        }
        return OWN_TMP_OUT.directory();
    }

    /** Boots the guest for these classes and reads what it reported; a run that went wrong keeps its outputs. */
    private static GuestRuns.Run boot(ExtensionContext context, GuestSpec spec, Class<?> testClass, List<String> classes) {
        GuestRuns.Run run = null;
        OWN_TMP_OUT.runStarted(); // a JVM ending mid-run keeps what it wrote
        try {
            run = bootAndRead(context, spec, testClass, classes);
            return run;
        } finally {
            OWN_TMP_OUT.runEnded(run != null && run.failure() == null && run.replay().wentWell());
        }
    }

    private static GuestRuns.Run bootAndRead(ExtensionContext context, GuestSpec spec, Class<?> testClass, List<String> classes) {
        try {
            Path out = outRoot(context.getConfigurationParameter(OUT_PARAMETER), Path.of(""))
                    .resolve(classes.get(0)).toAbsolutePath();
            Path results = GuestRuns.resultsFile(out);
            GuestCommand command = new GuestCommand(Path.of(System.getProperty("java.home"), "bin", "java"),
                    GuestClassPath.of(testClass, GuestMain.class), classes, results, selection(classes, out));
            GuestExit exit;
            try {
                exit = runner(context).run(spec, command, out, System.out::println);
            } catch (RuntimeException e) {
                return new GuestRuns.Run(classes, null, ": it cannot run in a guest: "
                        + Objects.requireNonNullElse(e.getMessage(), e.toString()), e);
            }
            String serial = exit.reason().contains(exit.serialLog().toString()) ? "" : " (serial log: " + exit.serialLog() + ")";
            Optional<String> failure = exit.status() == 0 ? Optional.empty()
                    : Optional.of("exit status " + exit.status() + ": " + exit.reason() + serial);
            if (!GuestResults.written(results)) {
                return new GuestRuns.Run(classes, null, failure.map(f -> " (" + f.replaceFirst(": ", "): "))
                        .orElse(": the guest wrote no results to " + results + serial));
            }
            GuestResults reported = GuestResults.read(results);
            if (failure.isEmpty() && !reported.complete()) {
                failure = Optional.of("the guest's results in " + results + " are incomplete although it exited 0" + serial);
            }
            return new GuestRuns.Run(classes, new GuestReplay(reported, results, exit.serialLog(), failure,
                    OWN_TMP_OUT::keep), null);
        } catch (IOException e) {
            return new GuestRuns.Run(classes, null, ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GuestRuns.Run(classes, null, ": interrupted while its guest ran");
        }
    }

    /**
     * The tests of {@code classes} the host's plan selected, in a file for the guest, when the plan is
     * known for all of them (else the guest runs whole classes: a test kit, the module path).
     */
    private static Optional<Path> selection(List<String> classes, Path out) throws IOException {
        List<String> keys = new ArrayList<>();
        for (String c : classes) {
            Optional<List<String>> selected = GuestPlan.selected(c);
            if (selected.isEmpty()) {
                return Optional.empty();
            }
            keys.addAll(selected.get());
        }
        return Optional.of(Files.write(out.resolve("selection.txt"), keys, StandardCharsets.UTF_8));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        GuestReplay replay = context.getStore(NAMESPACE).get(GuestReplay.class, GuestReplay.class);
        if (!GuestMain.inGuest() && replay != null) {
            replay.container(context.getUniqueId());
        }
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        replayOrProceed(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        replayOrProceed(invocation, context);
    }

    @Override
    public <T> T interceptTestFactoryMethod(Invocation<T> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        if (GuestMain.inGuest()) {
            return invocation.proceed();
        }
        invocation.skip();
        replay(context).templateOnHost(context.getUniqueId());
        throw new UnsupportedOperationException("@TestFactory methods cannot run in a @VfioGuest guest: "
                + context.getDisplayName() + " would run its dynamic tests on the host");
    }

    @Override
    public void interceptBeforeAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public void interceptAfterAllMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> method,
            ExtensionContext context) throws Throwable {
        proceedInGuestOnly(invocation);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == VfioGuestDevices.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        return new VfioGuestDevices(List.of(config(testClass).devices()), testClass.getSimpleName());
    }

    private static void replayOrProceed(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        if (GuestMain.inGuest()) {
            invocation.proceed();
            return;
        }
        invocation.skip();
        GuestReplay replay = replay(context);
        if (context.getUniqueId().contains("/[test-template-invocation:")) {
            context.getParent().ifPresent(template -> replay.templateOnHost(template.getUniqueId()));
            // Cases match by index: where the guest's sources gave other arguments (devices found in
            // its sysfs, say), the host's label is not what ran, and the report says what did.
            replay.guestName(context.getUniqueId()).filter(name -> !name.equals(context.getDisplayName()))
                    .ifPresent(name -> context.publishReportEntry(GUEST_NAME_ENTRY, name));
        }
        replay.test(context.getUniqueId(), context.getDisplayName());
    }

    /**
     * The guest's results for the class, which {@link #beforeAll} put there. Missing when the extension
     * was registered too late for it to boot a guest: by a {@code @RegisterExtension} instance field,
     * whose extension JUnit only asks about each test.
     */
    private static GuestReplay replay(ExtensionContext context) {
        GuestReplay replay = context.getStore(NAMESPACE).get(GuestReplay.class, GuestReplay.class);
        if (replay == null) {
            throw new IllegalStateException(context.getRequiredTestClass().getName() + " has no guest: VfioGuestExtension"
                    + " boots it before all of a class's tests, which an extension registered by a @RegisterExtension"
                    + " instance field is not asked about; annotate the class with @VfioGuest, or register the"
                    + " extension by @ExtendWith or a static @RegisterExtension field");
        }
        return replay;
    }

    /** A test the host's conditions disabled may have run, and failed, in the guest: the class's end checks. */
    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        GuestReplay replay = context.getStore(NAMESPACE).get(GuestReplay.class, GuestReplay.class);
        if (!GuestMain.inGuest() && replay != null) {
            replay.disabledOnHost(context.getUniqueId());
        }
    }

    private static void proceedInGuestOnly(Invocation<Void> invocation) throws Throwable {
        if (GuestMain.inGuest()) {
            invocation.proceed();
        } else {
            invocation.skip();
        }
    }

    /**
     * The class's @VfioGuest, also as a meta-annotation or inherited, or its enclosing class's for a
     * @Nested one; the defaults for a class that registers the extension without it.
     */
    private static VfioGuest config(Class<?> testClass) {
        return guestOf(testClass).orElseGet(() -> Defaults.class.getAnnotation(VfioGuest.class));
    }

    /** The guest a class asks for, empty for a class that does not use the extension. */
    private static Optional<VfioGuest> guestOf(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            Optional<VfioGuest> guest = AnnotationSupport.findAnnotation(c, VfioGuest.class);
            if (guest.isPresent()) {
                return guest;
            }
        }
        return extendedWith(testClass) ? Optional.of(Defaults.class.getAnnotation(VfioGuest.class)) : Optional.empty();
    }

    private static boolean extendedWith(Class<?> testClass) {
        return AnnotationSupport.findRepeatableAnnotations(testClass, ExtendWith.class).stream()
                .anyMatch(e -> List.of(e.value()).contains(VfioGuestExtension.class));
    }

    private static GuestRunner runner(ExtensionContext context) {
        return GuestRunners.choose(context::getConfigurationParameter, System.getenv());
    }
}
