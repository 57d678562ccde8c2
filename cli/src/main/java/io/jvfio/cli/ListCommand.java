package io.jvfio.cli;

import io.jvfio.fault.DevicePolicyTable;
import io.jvfio.VfioException;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", mixinStandardHelpOptions = true,
        description = "PCI devices with vendor:device, class, driver, IOMMU group and whether VFIO can use the group,"
                + " their ATS/PRI/PASID capabilities and the device policy table's fault mode.")
final class ListCommand implements Callable<Integer> {
    @Option(names = "--json", description = "One JSON array, for scripts.")
    boolean json;

    @Mixin
    SysfsOptions sysfsOptions;

    @Option(names = "--policies", paramLabel = "FILE", description = "A device policy file on top of the built-in table.")
    Path policies;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PciSysfs sysfs = sysfsOptions.sysfs();
        DevicePolicyTable table = policies == null ? DevicePolicyTable.builtIn()
                : BadArgumentException.reading("--policies", () -> DevicePolicyTable.withOverrides(policies));
        List<DeviceSummary> rows = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        for (PciAddress address : sysfs.addresses()) {
            // One device or group that cannot be read (a device going away, a broken sysfs) costs its own row only.
            try {
                rows.add(DeviceSummary.of(sysfs.device(address), sysfs, table));
            } catch (VfioException e) {
                unread.add(address + ": " + e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(rows.stream().map(DeviceSummary::toJson).toList()));
        } else {
            print(out, rows);
        }
        if (unread.isEmpty()) {
            return ExitCodes.OK;
        }
        PrintWriter err = spec.commandLine().getErr();
        for (String why : unread) {
            err.println("jvfio list: left out: " + why);
        }
        err.flush();
        return ExitCodes.FAILURE;
    }

    private static void print(PrintWriter out, List<DeviceSummary> rows) {
        String format = "%-12s  %-9s  %-26s  %-10s  %5s  %-10s  %-14s  %s%n";
        out.printf(format, "BDF", "IDS", "CLASS", "DRIVER", "GROUP", "VFIO", "FAULT CAPS", "FAULT MODE");
        for (DeviceSummary r : rows) {
            out.printf(format, r.info().address(), r.info().ids(), truncate(r.info().className(), 26),
                    r.info().driver().orElse("-"),
                    r.info().iommuGroup().isPresent() ? Integer.toString(r.info().iommuGroup().getAsInt()) : "-",
                    r.vfio(), r.faultCapabilities(), r.verdict().mode().name().toLowerCase().replace('_', '-'));
        }
        out.flush();
    }

    private static String truncate(String s, int width) {
        return s.length() <= width ? s : s.substring(0, width - 1) + "…";
    }
}
