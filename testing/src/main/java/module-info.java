/**
 * jvfio-testing: the kernel's iommufd test mock as a fault source, and the C reference loops and raw
 * I/O that the benchmarks and tests set against the library. Not for production: its native library
 * is separate from the product's, and it reaches the library through its public API only.
 */
module io.jvfio.testing {
    requires transitive io.jvfio;

    exports io.jvfio.testing;
}
