package io.jvfio.testing.junit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * The guest side of {@link VfioGuest}: runs one test class with the JUnit Platform and writes every
 * result to a file the host reads. It exits 0 once the file is written, whatever the tests did; any
 * other end (the class not found, a JVM crash) leaves no file, and the host fails the class.
 * <pre>java -Djvfio.guest.inside=true -cp CLASSPATH io.jvfio.testing.junit.GuestMain RESULTS_FILE TEST_CLASS</pre>
 */
final class GuestMain {
    /** Set on the guest JVM's command line: the extension lets the tests run for real. */
    static final String INSIDE_PROPERTY = "jvfio.guest.inside";
    /** On the kernel command line of every guest jvfio's harness boots (scripts/guest/init reads it). */
    private static final String HARNESS_CMDLINE = "jvfio.run=";

    private static final boolean IN_GUEST = Boolean.getBoolean(INSIDE_PROPERTY) || bootedByHarness();

    private GuestMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: GuestMain RESULTS_FILE TEST_CLASS");
            System.exit(2);
        }
        Class<?> testClass = Class.forName(args[1]);
        GuestRecorder recorder = new GuestRecorder(System.out);
        LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                recorder);
        recorder.results().write(Path.of(args[0]));
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
