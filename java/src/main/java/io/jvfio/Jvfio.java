package io.jvfio;

import io.jvfio.internal.NativeLibrary;

/**
 * Whether jvfio can reach the kernel from this JVM: its native library loads on first use (from
 * {@code java.library.path}, else from the jar) and every handle needs it. Check here to report why
 * it is off instead of failing on the first open.
 */
public final class Jvfio {
    private Jvfio() {}

    public static boolean isAvailable() {
        return NativeLibrary.isAvailable();
    }

    /** Throws an {@link UnsatisfiedLinkError} that says why, when the native library could not be used. */
    public static void ensureAvailability() {
        NativeLibrary.ensureAvailability();
    }

    /** Why native access is off, or null when it is on. */
    public static Throwable unavailabilityCause() {
        return NativeLibrary.unavailabilityCause();
    }

    /** The native library's name for this architecture, e.g. {@code jvfio-linux-x86_64}. */
    public static String nativeLibraryName() {
        return NativeLibrary.libraryName();
    }
}
