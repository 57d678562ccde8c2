package io.jvfio.testing.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectUniqueId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The guest side of {@link VfioGuest}: runs the test classes that share this guest with the JUnit
 * Platform and writes every result to a file the host reads, after each test, so that a run cut short
 * (a hung test stopped by the timeout, a JVM crash) still tells which tests ended how and which one was
 * running. Once all have run it marks the file complete and exits 0, whatever the tests did.
 * <pre>java -Djvfio.guest.inside=true -cp CLASSPATH io.jvfio.testing.junit.GuestMain RESULTS_FILE TEST_CLASS...</pre>
 */
final class GuestMain {
    /** Set on the guest JVM's command line: the extension lets the tests run for real. */
    static final String INSIDE_PROPERTY = "jvfio.guest.inside";
    /** Set on the guest JVM's command line: the host directory, writable from the guest, that keeps the run's logs. */
    static final String OUT_PROPERTY = "jvfio.guest.out";
    /** On the kernel command line of every guest jvfio's harness boots (scripts/guest/init reads it). */
    private static final String HARNESS_CMDLINE = "jvfio.run=";

    private static final boolean IN_GUEST = Boolean.getBoolean(INSIDE_PROPERTY) || bootedByHarness();
    /** Names a file of the tests to run, one key ({@link GuestResults#key}) a line, in place of whole classes. */
    static final String SELECTION_OPTION = "--selection";
    /** The engine a key's test runs in, in the guest: the host's may enclose it in a suite's. */
    private static final String JUPITER = "[engine:junit-jupiter]/";

    private GuestMain() {}

    public static void main(String[] args) throws Exception {
        int first = args.length > 2 && args[1].equals(SELECTION_OPTION) ? 3 : 1;
        if (args.length <= first) {
            System.err.println("usage: GuestMain RESULTS_FILE [" + SELECTION_OPTION + " FILE] TEST_CLASS...");
            System.exit(2);
        }
        List<DiscoverySelector> selectors = new ArrayList<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (int i = first; i < args.length; i++) {
            // A class that cannot be found fails the run here, loudly. Not initialized: a static
            // initializer that throws fails its own class in JUnit, not every class sharing the guest.
            selectors.add(selectClass(Class.forName(args[i], false, loader)));
        }
        if (first == 3) {
            // The tests the host's plan selected (-Dtest=Class#method, an IDE's one method), not whole classes.
            selectors.clear();
            for (String key : Files.readAllLines(Path.of(args[2]), StandardCharsets.UTF_8)) {
                if (!key.isEmpty()) {
                    selectors.add(selectUniqueId(JUPITER + key));
                }
            }
        }
        GuestRecorder recorder = new GuestRecorder(System.out, Path.of(args[0]));
        int status = 1;
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectors).build(), recorder);
            recorder.complete();
            status = 0;
        } catch (Throwable t) {
            t.printStackTrace(); // on the console, whose tail the host shows
        } finally {
            // A test may leave a non-daemon thread behind: exit whatever happened above, or the guest
            // would wait for it until the timeout. The results (or the journal, on a failure) are written.
            System.exit(status);
        }
    }

    /** Whether this JVM runs in a jvfio guest, where the tests of a @VfioGuest class run for real. */
    static boolean inGuest() {
        return IN_GUEST;
    }

    private static boolean bootedByHarness() {
        try {
            return Files.readString(Path.of("/proc/cmdline"), StandardCharsets.UTF_8).contains(HARNESS_CMDLINE);
        } catch (IOException | SecurityException e) {
            return false;
        }
    }
}
