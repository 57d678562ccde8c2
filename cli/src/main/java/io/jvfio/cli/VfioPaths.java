package io.jvfio.cli;

import io.jvfio.Jvfio;
import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.Iommufd;
import java.nio.file.Files;
import java.nio.file.Path;

/** Which of the kernel's VFIO paths this machine offers, each with the reason when it does not. */
final class VfioPaths {
    private VfioPaths() {}

    /** An answer and, when it is no, why and what to do. */
    record Probe(boolean available, String detail) {
        static Probe yes(String detail) {
            return new Probe(true, detail);
        }

        static Probe no(String detail) {
            return new Probe(false, detail);
        }

        @Override
        public String toString() {
            return (available ? "yes" : "no") + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    static Probe legacyContainer(Path dev) {
        Path node = dev.resolve("vfio/vfio");
        return Files.exists(node) ? Probe.yes(node.toString())
                : Probe.no(node + " is missing: CONFIG_VFIO_CONTAINER or modprobe vfio-pci");
    }

    static Probe iommufd(Path dev) {
        Path node = dev.resolve("iommu");
        return Files.exists(node) ? Probe.yes(node.toString()) : Probe.no(node + " is missing: CONFIG_IOMMUFD or modprobe iommufd");
    }

    static Probe cdevs(Path dev) {
        Path dir = dev.resolve("vfio/devices");
        return Files.isDirectory(dir) ? Probe.yes(dir.toString())
                : Probe.no(dir + " is missing: needs CONFIG_VFIO_DEVICE_CDEV (Linux 6.6+) and a device on vfio-pci");
    }

    /** Allocates and frees a fault queue: the only proof that IOMMU_FAULT_QUEUE_ALLOC works here. */
    static Probe faultQueues(Path dev) {
        if (!Files.exists(dev.resolve("iommu"))) {
            return Probe.no("no " + dev.resolve("iommu"));
        }
        if (!Jvfio.isAvailable()) {
            return Probe.no("the native shim did not load: " + Jvfio.unavailabilityCause().getMessage());
        }
        try (Iommufd iommufd = Iommufd.open(dev.resolve("iommu").toString()); FaultQueue queue = FaultQueue.allocate(iommufd)) {
            return Probe.yes("IOMMU_FAULT_QUEUE_ALLOC works");
        } catch (VfioException e) {
            return Probe.no(e.getMessage());
        }
    }
}
