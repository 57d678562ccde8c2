package io.jvfio.cli;

import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** The device a command works on, and the sysfs it is found in. */
final class DeviceArgument {
    @Parameters(paramLabel = "BDF", description = "The device, e.g. 0000:00:04.0 or 00:04.0.")
    String bdf;

    @Mixin
    SysfsOptions roots;

    PciAddress address() {
        return BadArgumentException.reading("BDF", () -> PciAddress.parse(bdf));
    }

    PciSysfs sysfs() {
        return roots.sysfs();
    }
}
