package io.jvfio.testing.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.platform.engine.discovery.ClassSelector;
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

    private GuestMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: GuestMain RESULTS_FILE TEST_CLASS...");
            System.exit(2);
        }
        List<ClassSelector> classes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            classes.add(selectClass(Class.forName(args[i])));
        }
        GuestRecorder recorder = new GuestRecorder(System.out, Path.of(args[0]));
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(classes).build(), recorder);
        recorder.complete();
        // A test may leave a non-daemon thread behind; the results are written, so nothing is lost.
        System.exit(0);
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
