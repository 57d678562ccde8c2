package io.jvfio.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads libjvfio-testing once, the way the library loads libjvfio: from {@code java.library.path}
 * first, else from the copy bundled in this jar under {@code META-INF/native/}, extracted to a
 * temporary file ({@code -Djvfio.native.workdir=DIR} where the temp dir is noexec); then checks that
 * the library's ABI version is this jar's.
 */
public final class TestingLibrary {
    /** Must equal JVFIO_TESTING_ABI_VERSION in native/testing/testing.h. */
    static final int ABI_VERSION = 4;
    private static final Throwable UNAVAILABILITY_CAUSE = load();

    private TestingLibrary() {}

    /** The file name the build gives the library for this architecture, without lib and .so. */
    public static String libraryName() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return "jvfio-testing-linux-" + (arch.equals("amd64") ? "x86_64" : arch);
    }

    /** Throws an {@link UnsatisfiedLinkError} that says why, when the library could not be loaded. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError(
                    "jvfio-testing's native library is not available: " + UNAVAILABILITY_CAUSE.getMessage());
            e.initCause(UNAVAILABILITY_CAUSE);
            throw e;
        }
    }

    private static native int abiVersion();

    private static Throwable load() {
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new UnsupportedOperationException("jvfio-testing needs Linux; this is " + System.getProperty("os.name"));
        }
        UnsatisfiedLinkError fromPath;
        try {
            System.loadLibrary(libraryName());
            return checkAbi();
        } catch (UnsatisfiedLinkError e) {
            fromPath = e;
        }
        try {
            loadBundled();
            return checkAbi();
        } catch (IOException | UnsatisfiedLinkError e) {
            e.addSuppressed(fromPath);
            return e;
        }
    }

    private static Throwable checkAbi() {
        int found = abiVersion();
        if (found != ABI_VERSION) {
            return new UnsatisfiedLinkError("lib" + libraryName() + " has ABI version " + found + " but this jar needs "
                    + ABI_VERSION + ": an old lib" + libraryName() + ".so shadows the bundled one in java.library.path");
        }
        return null;
    }

    private static void loadBundled() throws IOException {
        String resource = "/META-INF/native/lib" + libraryName() + ".so";
        try (InputStream in = TestingLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " in the jvfio-testing jar and no lib" + libraryName()
                        + ".so in java.library.path");
            }
            Path dir = Path.of(System.getProperty("jvfio.native.workdir", System.getProperty("java.io.tmpdir")));
            Path file = Files.createTempFile(dir, "lib" + libraryName() + "-", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                try {
                    System.load(file.toString());
                } catch (UnsatisfiedLinkError e) {
                    throw new IOException("could not load " + file + " (extracted from the jar): " + e.getMessage()
                            + "; if " + dir + " is mounted noexec, set -Djvfio.native.workdir to a directory"
                            + " that allows execution", e);
                }
            } finally {
                // The mapping stays valid after the file is gone.
                Files.deleteIfExists(file);
            }
        }
    }
}
