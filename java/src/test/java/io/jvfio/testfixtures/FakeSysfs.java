package io.jvfio.testfixtures;

import io.jvfio.pci.PciSysfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A sysfs tree in a temp directory, shaped like the kernel's: devices, drivers, IOMMU groups. Shared
 * with the CLI's tests through the library's test jar.
 */
public final class FakeSysfs {
    public final Path sys;
    public final Path dev;

    public FakeSysfs(Path root) throws IOException {
        sys = Files.createDirectories(root.resolve("sys"));
        dev = Files.createDirectories(root.resolve("dev"));
        Files.createDirectories(sys.resolve("bus/pci/devices"));
        driver("vfio-pci");
        Files.writeString(sys.resolve("bus/pci/drivers_probe"), "");
    }

    /** A driver's directory with its bind and unbind attributes. */
    private Path driver(String name) throws IOException {
        Path drv = Files.createDirectories(sys.resolve("bus/pci/drivers/" + name));
        for (String attribute : new String[] {"bind", "unbind"}) {
            if (!Files.exists(drv.resolve(attribute))) {
                Files.writeString(drv.resolve(attribute), "");
            }
        }
        return drv;
    }

    /** Adds a function with ids, class, config space, an IOMMU group and a driver ("" for none). */
    public FakeSysfs device(String bdf, int vendor, int device, int classCode, int group, String driver, byte[] config) throws IOException {
        Path d = Files.createDirectories(sys.resolve("devices/pci0000:00/" + bdf));
        Files.createSymbolicLink(sys.resolve("bus/pci/devices/" + bdf), d);
        Files.writeString(d.resolve("vendor"), String.format("0x%04x%n", vendor));
        Files.writeString(d.resolve("device"), String.format("0x%04x%n", device));
        Files.writeString(d.resolve("class"), String.format("0x%06x%n", classCode));
        Files.write(d.resolve("config"), config);
        Files.writeString(d.resolve("driver_override"), "(null)\n");
        Path groupDir = Files.createDirectories(sys.resolve("kernel/iommu_groups/" + group + "/devices"));
        Files.createSymbolicLink(d.resolve("iommu_group"), groupDir.getParent());
        Files.createSymbolicLink(groupDir.resolve(bdf), d);
        if (!driver.isEmpty()) {
            Files.createSymbolicLink(d.resolve("driver"), driver(driver));
        }
        return this;
    }

    public PciSysfs sysfs() {
        return new PciSysfs(sys, dev);
    }

    /** 4 KiB of config space whose extended list is ATS -> PRI -> PASID (20 bits), like an SVA-capable device. */
    public static byte[] configWithFaultCapabilities() {
        byte[] c = new byte[4096];
        putU32(c, 0x100, 0x0f | 1 << 16 | 0x120 << 20);
        putU32(c, 0x120, 0x13 | 1 << 16 | 0x140 << 20);
        putU32(c, 0x140, 0x1b | 1 << 16);
        c[0x145] = 20;
        return c;
    }

    public static void putU32(byte[] c, int at, int value) {
        for (int i = 0; i < 4; i++) {
            c[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
