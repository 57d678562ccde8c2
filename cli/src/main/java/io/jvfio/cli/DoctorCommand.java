package io.jvfio.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "What this machine can and cannot do for VFIO, iommufd and I/O page faults, and why: kernel"
                + " version and config, IOMMU, drivers, /dev nodes, memlock limit, huge pages; each problem with a fix."
                + " Exits 3 when something VFIO needs is missing.")
final class DoctorCommand implements Callable<Integer> {
    @Mixin
    SysfsOptions sysfsOptions;

    @Option(names = "--procfs", paramLabel = "DIR", defaultValue = "/proc", description = "proc root (default: ${DEFAULT-VALUE}).")
    Path proc;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<MachineCheck> checks = new MachineChecks(sysfsOptions.sys, sysfsOptions.dev, proc).run();
        PrintWriter out = spec.commandLine().getOut();
        for (MachineCheck c : checks) {
            out.printf("[%-4s] %-24s %s%n", c.status().name().toLowerCase(), c.name(), c.found());
            if (!c.fix().isEmpty()) {
                out.printf("       %-24s fix: %s%n", "", c.fix());
            }
        }
        long failed = checks.stream().filter(c -> c.status() == MachineCheck.Status.FAIL).count();
        out.println(failed == 0 ? "VFIO is usable here." : failed + " problem(s) keep VFIO from working here.");
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.UNSUPPORTED;
    }
}
