package io.jvfio.cli;

import io.jvfio.Jvfio;
import io.jvfio.VfioException;
import io.jvfio.memory.DmaBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/** What `jvfio doctor` looks at: the kernel, its config, the IOMMU, /dev, limits and the native shim. */
final class MachineChecks {
    private final Path sys;
    private final Path dev;
    private final Path proc;

    MachineChecks(Path sys, Path dev, Path proc) {
        this.sys = sys;
        this.dev = dev;
        this.proc = proc;
    }

    List<MachineCheck> run() {
        List<MachineCheck> checks = new ArrayList<>();
        String release = read(proc.resolve("sys/kernel/osrelease")).orElse("unknown");
        checks.add(kernelVersion(release));
        Optional<String> config = kernelConfig(release);
        for (String option : List.of("CONFIG_VFIO", "CONFIG_VFIO_PCI")) {
            checks.add(configOption(config, option, null));
        }
        // VFIO works through either path: a container (/dev/vfio/vfio, VFIO's own or iommufd's
        // compatibility one, which kernels without VFIO's default to) or a device cdev bound to an iommufd.
        boolean iommufdSet = isSet(config, "CONFIG_IOMMUFD");
        boolean vfioContainer = isSet(config, "CONFIG_VFIO_CONTAINER");
        boolean iommufdContainer = isSet(config, "CONFIG_IOMMUFD_VFIO_CONTAINER") && iommufdSet;
        boolean cdevPath = isSet(config, "CONFIG_VFIO_DEVICE_CDEV") && iommufdSet;
        String otherPath = vfioContainer || iommufdContainer || cdevPath ? "the other VFIO path is there" : null;
        checks.add(iommufdContainer && !vfioContainer
                ? MachineCheck.ok("CONFIG_VFIO_CONTAINER", "not set; iommufd serves /dev/vfio/vfio (CONFIG_IOMMUFD_VFIO_CONTAINER)")
                : configOption(config, "CONFIG_VFIO_CONTAINER", otherPath));
        for (String option : List.of("CONFIG_VFIO_DEVICE_CDEV", "CONFIG_IOMMUFD")) {
            checks.add(configOption(config, option, otherPath));
        }
        checks.add(configOption(config, "CONFIG_IOMMU_IOPF", "only I/O page faults need it"));
        checks.add(configOption(config, "CONFIG_IOMMUFD_TEST", "only the tests' fault source needs it"));
        checks.add(iommu());
        checks.add(MachineCheck.of(Files.isDirectory(sys.resolve("bus/pci/drivers/vfio-pci")), "vfio-pci driver",
                Files.isDirectory(sys.resolve("bus/pci/drivers/vfio-pci")) ? "loaded" : "not loaded", "modprobe vfio-pci"));
        MachineCheck container = node(dev.resolve("vfio/vfio"), "legacy container", iommufdContainer
                ? "modprobe iommufd (CONFIG_IOMMUFD_VFIO_CONTAINER)" : "modprobe vfio-pci (CONFIG_VFIO_CONTAINER)");
        MachineCheck iommufd = node(dev.resolve("iommu"), "iommufd", "modprobe iommufd (CONFIG_IOMMUFD)");
        boolean eitherNode = container.status() == MachineCheck.Status.OK || iommufd.status() == MachineCheck.Status.OK;
        checks.add(eitherNode ? container.failAsWarning() : container);
        checks.add(eitherNode ? iommufd.failAsWarning() : iommufd);
        VfioPaths.Probe faults = VfioPaths.faultQueues(dev);
        checks.add(faults.available() ? MachineCheck.ok("fault queues", faults.detail())
                : MachineCheck.warn("fault queues", faults.detail(), "needs Linux 6.11+ with CONFIG_IOMMUFD and access to /dev/iommu"));
        checks.add(nativeLibrary());
        checks.add(memlock());
        checks.add(hugePages());
        return checks;
    }

    static MachineCheck kernelVersion(String release) {
        int[] v = parseVersion(release);
        boolean faultQueues = v[0] > 6 || (v[0] == 6 && v[1] >= 11);
        boolean cdev = v[0] > 6 || (v[0] == 6 && v[1] >= 6);
        if (faultQueues) {
            return MachineCheck.ok("kernel", release + " (cdev, iommufd and fault queues)");
        }
        return MachineCheck.warn("kernel", release + (cdev ? " (cdev and iommufd, no fault queues: 6.11+)" : " (legacy VFIO only)"),
                "boot Linux 6.11 or later for iommufd fault queues");
    }

    static int[] parseVersion(String release) {
        String[] parts = release.split("[.\\-+]");
        int[] v = new int[2];
        for (int i = 0; i < 2 && i < parts.length; i++) {
            try {
                v[i] = Integer.parseInt(parts[i]);
            } catch (NumberFormatException e) {
                return v;
            }
        }
        return v;
    }

    /** /proc/config.gz, else /boot/config-RELEASE. */
    private Optional<String> kernelConfig(String release) {
        Path gz = proc.resolve("config.gz");
        if (Files.isReadable(gz)) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                in.transferTo(b);
                return Optional.of(b.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return read(Path.of("/boot/config-" + release));
    }

    /** An option of the kernel's config: a failure when not set, unless {@code whyOptional} says why that is fine. */
    static MachineCheck configOption(Optional<String> config, String option, String whyOptional) {
        if (config.isEmpty()) {
            return MachineCheck.warn(option, "unknown (no /proc/config.gz or /boot/config-*)",
                    "enable CONFIG_IKCONFIG_PROC to let jvfio read the kernel's config");
        }
        String value = value(config.get(), option);
        if (value.equals("y") || value.equals("m")) {
            return MachineCheck.ok(option, value);
        }
        return whyOptional == null ? MachineCheck.fail(option, value, "rebuild the kernel with " + option + "=y or =m")
                : MachineCheck.warn(option, value + " (" + whyOptional + ")", "rebuild the kernel with " + option + "=y or =m");
    }

    private static String value(String config, String option) {
        return config.lines().filter(l -> l.startsWith(option + "=")).map(l -> l.substring(option.length() + 1))
                .findFirst().orElse("not set");
    }

    private static boolean isSet(Optional<String> config, String option) {
        return config.map(c -> value(c, option)).filter(v -> v.equals("y") || v.equals("m")).isPresent();
    }

    private MachineCheck iommu() {
        Path iommus = sys.resolve("class/iommu");
        List<String> units = new ArrayList<>();
        try (var s = Files.list(iommus)) {
            s.forEach(p -> units.add(p.getFileName().toString()));
        } catch (IOException e) {
            // No IOMMU class: no IOMMU driver bound.
        }
        return units.isEmpty()
                ? MachineCheck.fail("IOMMU", "off (no " + iommus + "/*)", "enable VT-d/AMD-Vi in firmware and boot with intel_iommu=on or amd_iommu=on")
                : MachineCheck.ok("IOMMU", "on: " + String.join(", ", units));
    }

    private static MachineCheck node(Path node, String name, String fix) {
        if (!Files.exists(node)) {
            return MachineCheck.fail(name, node + " missing", fix);
        }
        if (!Files.isReadable(node) || !Files.isWritable(node)) {
            return MachineCheck.fail(name, node + " not read-writable by this user", "run as root or grant access to " + node
                    + " (e.g. a udev rule giving the group vfio rw)");
        }
        return MachineCheck.ok(name, node.toString());
    }

    private static MachineCheck nativeLibrary() {
        if (Jvfio.isAvailable()) {
            return MachineCheck.ok("native shim", Jvfio.nativeLibraryName() + " loaded");
        }
        return MachineCheck.fail("native shim", String.valueOf(Jvfio.unavailabilityCause().getMessage()),
                "set -Djvfio.native.workdir to a directory that allows exec, or put the library on java.library.path");
    }

    private static MachineCheck memlock() {
        if (!Jvfio.isAvailable()) {
            return MachineCheck.warn("memlock limit", "unknown (no native shim)", "");
        }
        long limit;
        try {
            limit = DmaBuffer.memlockLimit();
        } catch (VfioException e) {
            return MachineCheck.warn("memlock limit", "unknown: " + e.getMessage(), "");
        }
        if (limit == Long.MAX_VALUE) {
            return MachineCheck.ok("memlock limit", "unlimited");
        }
        String found = limit / 1024 + " KiB";
        return limit >= 1L << 30 ? MachineCheck.ok("memlock limit", found)
                : MachineCheck.warn("memlock limit", found + ": DMA mappings pin memory against it",
                "raise it: ulimit -l unlimited, or LimitMEMLOCK=infinity in a systemd unit");
    }

    private MachineCheck hugePages() {
        Optional<String> total = read(proc.resolve("sys/vm/nr_hugepages"));
        long n = total.map(String::trim).filter(s -> s.matches("\\d+")).map(Long::parseLong).orElse(0L);
        return n > 0 ? MachineCheck.ok("huge pages", n + " reserved")
                : MachineCheck.warn("huge pages", "none reserved (4 KiB DMA mappings only)",
                "echo 512 > /proc/sys/vm/nr_hugepages for 2 MiB-backed DMA buffers");
    }

    private static Optional<String> read(Path p) {
        try {
            return Optional.of(Files.readString(p).trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
