/**
 * jvfio: VFIO and iommufd handles, DMA memory, PCI helpers and the I/O page-fault service loop.
 * {@code io.jvfio.internal} (the JNI bridge and its loader) is not exported.
 */
@SuppressWarnings("requires-automatic") // HdrHistogram names no module: its jar file name does
module io.jvfio {
    requires org.slf4j;
    requires HdrHistogram;

    exports io.jvfio;
    exports io.jvfio.fault;
    exports io.jvfio.iommufd;
    exports io.jvfio.memory;
    exports io.jvfio.pci;
    exports io.jvfio.vfio;
}
