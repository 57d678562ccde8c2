package io.jvfio.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads libjvfio once: from {@code java.library.path} first, else from the copy bundled in the jar
 * under {@code META-INF/native/}, extracted to a temporary file. Then checks that the library's ABI
 * version is the one this jar was built with.
 */
public final class NativeLibrary {
    /** Must equal JVFIO_ABI_VERSION in native/src/jvfio.h. */
    static final int ABI_VERSION = 5;

    private static final Throwable UNAVAILABILITY_CAUSE = load();

    private NativeLibrary() {}

    /** The file name the build gives the library for this architecture. */
    public static String libraryName() {
        return "jvfio-linux-" + architecture();
    }

    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why native access is off, or null when it is on. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** Throws an {@link UnsatisfiedLinkError} that says why, when the library could not be used. */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            UnsatisfiedLinkError e = new UnsatisfiedLinkError(
                    "jvfio's native library is not available: " + UNAVAILABILITY_CAUSE.getMessage());
            e.initCause(UNAVAILABILITY_CAUSE);
            throw e;
        }
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") ? "x86_64" : arch;
    }

    private static Throwable load() {
        if (!System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new UnsupportedOperationException("jvfio needs Linux; this is " + System.getProperty("os.name"));
        }
        Throwable fromPath;
        try {
            System.loadLibrary(libraryName());
            return checkAbi();
        } catch (UnsatisfiedLinkError e) {
            fromPath = e;
        }
        try {
            loadBundled();
            return checkAbi();
        } catch (Throwable e) {
            e.addSuppressed(fromPath);
            return e;
        }
    }

    private static void loadBundled() throws IOException {
        String resource = "META-INF/native/lib" + libraryName() + ".so";
        ClassLoader loader = NativeLibrary.class.getClassLoader();
        try (InputStream in = loader == null ? ClassLoader.getSystemResourceAsStream(resource)
                : loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no " + resource + " in the class path and no lib" + libraryName()
                        + ".so in java.library.path; this jar was built for another architecture");
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
                // The mapping stays valid after the file is gone; nothing is left in the temp dir.
                Files.deleteIfExists(file);
            }
        }
    }

    private static Throwable checkAbi() {
        int found = UnixNative.abiVersion();
        if (found != ABI_VERSION) {
            return new UnsatisfiedLinkError("libjvfio has ABI version " + found + " but this jar needs "
                    + ABI_VERSION + ": an old lib" + libraryName() + ".so shadows the bundled one in java.library.path");
        }
        return null;
    }
}
