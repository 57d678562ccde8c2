package io.jvfio.testing.junit;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The extension behind {@link VfioGuest}. On the host it boots one guest per test class before all of
 * its tests, runs the class there, and ends each test (without running its body, nor any lifecycle
 * method, on the host) as the guest's run ended. In the guest it lets everything run. On both sides it
 * supplies {@link VfioGuestDevices} parameters.
 */
public final class VfioGuestExtension implements BeforeAllCallback, AfterAllCallback, InvocationInterceptor,
        ParameterResolver {
    /**
     * A configuration parameter naming the class of another guest runner than QEMU, an implementation of
     * the package's runner interface; the extension's own tests run the guest side in a plain JVM with it.
     */
    static final String RUNNER_PARAMETER = "jvfio.guest.runner";
    /** A configuration parameter (or system property): the directory for the guests' logs and results. */
    static final String OUT_PARAMETER = "jvfio.guest.out";

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(VfioGuestExtension.class);

    /** The defaults of every attribute, for a class that registers the extension without the annotation. */
    @VfioGuest
    private static final class Defaults {}

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        // A @Nested class ran in its enclosing class's guest.
        if (GuestMain.inGuest() || context.getStore(NAMESPACE).get(GuestReplay.class) != null) {
            return;
        }
        Class<?> testClass = context.getRequiredTestClass();
        String name = testClass.getName();
        GuestSpec spec = GuestSpec.of(config(testClass), System.getenv());
        Path out = context.getConfigurationParameter(OUT_PARAMETER).map(Path::of)
                .orElse(Files.isDirectory(Path.of("target")) ? Path.of("target", "jvfio-guest")
                        : Path.of(System.getProperty("java.io.tmpdir"), "jvfio-guest"))
                .resolve(name).toAbsolutePath();
        Files.createDirectories(out);
        Path results = out.resolve("results.properties");
        Files.deleteIfExists(results);
        GuestCommand command = new GuestCommand(Path.of(System.getProperty("java.home"), "bin", "java"),
                GuestClassPath.of(testClass, GuestMain.class), name, results);
        GuestExit exit;
        try {
            exit = runner(context).run(spec, command, out, System.out::println);
        } catch (RuntimeException e) {
            throw new IllegalStateException(name + " cannot run in a guest: " + e.getMessage(), e);
        }
        if (exit.status() != 0) {
            String serial = exit.reason().contains(exit.serialLog().toString()) ? "" : " (serial log: " + exit.serialLog() + ")";
            throw new IllegalStateException(name + " did not run in the guest (exit status " + exit.status() + "): "
                    + exit.reason() + serial);
        }
        if (!Files.isRegularFile(results)) {
            throw new IllegalStateException(name + " did not run in the guest: the guest wrote no results to "
                    + results + " (serial log: " + exit.serialLog() + ")");
        }
        context.getStore(NAMESPACE).put(GuestReplay.class, new GuestReplay(GuestResults.read(results), results, exit.serialLog()));
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
        context.getStore(NAMESPACE).get(GuestReplay.class, GuestReplay.class).test(context.getUniqueId(), context.getDisplayName());
    }

    private static void proceedInGuestOnly(Invocation<Void> invocation) throws Throwable {
        if (GuestMain.inGuest()) {
            invocation.proceed();
        } else {
            invocation.skip();
        }
    }

    /** The class's @VfioGuest, or its enclosing class's for a @Nested one, or the defaults. */
    private static VfioGuest config(Class<?> testClass) {
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            VfioGuest guest = c.getAnnotation(VfioGuest.class);
            if (guest != null) {
                return guest;
            }
        }
        return Defaults.class.getAnnotation(VfioGuest.class);
    }

    private static GuestRunner runner(ExtensionContext context) {
        return context.getConfigurationParameter(RUNNER_PARAMETER)
                .map(name -> (GuestRunner) ReflectionSupport.newInstance(ReflectionSupport.tryToLoadClass(name)
                        .getOrThrow(e -> new IllegalArgumentException(RUNNER_PARAMETER + "=" + name + ": no such class", e))))
                .orElseGet(QemuGuestRunner::new);
    }
}
