package io.jvfio.it;

import java.io.PrintStream;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Ends the guest JVM when one test runs far longer than any test should (a hang, not a slow test),
 * after printing which test and every thread's stack. A hung test otherwise holds its device until
 * the whole guest times out, every later test fails with EBUSY, and the log never says which test
 * it was. Halting the JVM closes every descriptor, so nothing outlives it.
 * <p>
 * Registered through ServiceLoader, it acts only where {@link #LIMIT_PROPERTY} is set, in the guest's
 * JVM ({@link IntelIommuGuest}, {@link MockIommuGuest}): the host's own test runs are left alone. The
 * halted run's results name the test that was running (the @VfioGuest extension reports it as started
 * and never ended), and the stacks printed here are in the guest's serial log.
 */
public final class HangGuard implements TestExecutionListener {
    /** The exit status of a JVM this guard ended. */
    public static final int EXIT_STATUS = 124;
    /** The system property that sets the limit, in seconds. */
    public static final String LIMIT_PROPERTY = "jvfio.it.hangGuardSeconds";

    private final long limitSeconds = Long.getLong(LIMIT_PROPERTY, 0);
    private final ScheduledExecutorService timer = limitSeconds > 0 ? Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "jvfio-hang-guard");
        t.setDaemon(true);
        return t;
    }) : null;
    private ScheduledFuture<?> pending;

    @Override
    public synchronized void executionStarted(TestIdentifier test) {
        if (timer != null && test.isTest()) {
            pending = timer.schedule(() -> halt(test), limitSeconds, TimeUnit.SECONDS);
        }
    }

    @Override
    public synchronized void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (pending != null && test.isTest()) {
            pending.cancel(false);
            pending = null;
        }
    }

    private void halt(TestIdentifier test) {
        String name = test.getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getClassName() + "." + test.getLegacyReportingName())
                .orElse(test.getUniqueId());
        PrintStream out = System.out;
        out.printf("%nJVFIO-TEST-HUNG %s ran for more than %d s; every thread's stack follows, then the JVM halts%n",
                name, limitSeconds);
        for (ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
            out.print(format(info));
        }
        out.flush();
        Runtime.getRuntime().halt(EXIT_STATUS);
    }

    /** ThreadInfo.toString cuts stacks at eight frames; a hang needs the whole stack. */
    private static String format(ThreadInfo info) {
        StringBuilder b = new StringBuilder();
        b.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState());
        if (info.getLockName() != null) {
            b.append(" on ").append(info.getLockName());
        }
        if (info.getLockOwnerName() != null) {
            b.append(" owned by \"").append(info.getLockOwnerName()).append('"');
        }
        b.append('\n');
        StackTraceElement[] stack = info.getStackTrace();
        for (int i = 0; i < stack.length; i++) {
            b.append("\tat ").append(stack[i]).append('\n');
            for (MonitorInfo monitor : info.getLockedMonitors()) {
                if (monitor.getLockedStackDepth() == i) {
                    b.append("\t- locked ").append(monitor).append('\n');
                }
            }
        }
        for (LockInfo sync : info.getLockedSynchronizers()) {
            b.append("\t- holds ").append(sync).append('\n');
        }
        return b.append('\n').toString();
    }
}
