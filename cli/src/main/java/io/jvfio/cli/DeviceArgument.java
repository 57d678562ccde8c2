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
        try {
            return PciAddress.parse(bdf);
        } catch (IllegalArgumentException e) {
            throw new BadArgumentException(e.getMessage(), e); // it names the address
        }
    }

    PciSysfs sysfs() {
        return roots.sysfs();
    }
}
