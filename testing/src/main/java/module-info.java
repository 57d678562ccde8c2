/**
 * jvfio-testing: the kernel's iommufd test mock as a fault source, and the C reference loops and raw
 * I/O that the benchmarks and tests set against the library. Not for production: its native library
 * is separate from the product's, and it reaches the library through its public API only.
 * {@code io.jvfio.testing.junit} holds {@code @VfioGuest}, which runs a JUnit 5 test class in a QEMU guest.
 */
module io.jvfio.testing {
    requires transitive io.jvfio;
    // Only @VfioGuest needs JUnit: the jvfio command, which uses the mock, ships without it.
    requires static org.junit.jupiter.api;
    requires static org.junit.platform.launcher;
    // Only @VfioGuest's container runner needs Testcontainers (for a host without QEMU).
    requires static testcontainers;
    requires static com.github.dockerjava.api;

    exports io.jvfio.testing;
    exports io.jvfio.testing.junit;
}
