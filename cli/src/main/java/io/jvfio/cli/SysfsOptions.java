package io.jvfio.cli;

import io.jvfio.pci.PciSysfs;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where sysfs and /dev are; other roots serve tests and chroots. */
final class SysfsOptions {
    @Option(names = "--sysfs", paramLabel = "DIR", defaultValue = "/sys", description = "sysfs root (default: ${DEFAULT-VALUE}).")
    Path sys;

    @Option(names = "--devfs", paramLabel = "DIR", defaultValue = "/dev", description = "device root (default: ${DEFAULT-VALUE}).")
    Path dev;

    PciSysfs sysfs() {
        return new PciSysfs(sys, dev);
    }
}
