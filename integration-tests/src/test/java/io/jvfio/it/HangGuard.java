package io.jvfio.it;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Registered through ServiceLoader, it acts only where scripts/guest/guest-test.sh sets
 * {@code -Djvfio.it.hangGuardSeconds}: the host's own test runs are left alone. The name of the
 * hung test goes to {@code hung-test.txt} in {@code jvfio.it.out}, which GuestReport reports.
 */
public final class HangGuard implements TestExecutionListener {
    /** The exit status of a JVM this guard ended. */
    public static final int EXIT_STATUS = 124;
    public static final String HUNG_TEST_FILE = "hung-test.txt";

    private final long limitSeconds = Long.getLong("jvfio.it.hangGuardSeconds", 0);
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
        String dir = System.getProperty("jvfio.it.out");
        if (dir != null) {
            try {
                Files.writeString(Path.of(dir, HUNG_TEST_FILE),
                        name + " ran for more than " + limitSeconds + " s (hang guard)\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                out.println("could not record the hung test in " + dir + ": " + e);
            }
        }
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
