package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.pci.GroupViability;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bind", mixinStandardHelpOptions = true,
        description = "Bind a device to vfio-pci (through driver_override), remembering its driver for `jvfio unbind`."
                + " Refuses when other devices of its IOMMU group stay on host drivers (use --group) and when a network"
                + " interface of the device is up (use --force).")
final class BindCommand implements Callable<Integer> {
    @Option(names = "--group", description = "Bind every device of the device's IOMMU group that is on a host driver.")
    boolean group;

    @Option(names = "--force", description = "Bind even if the device's network interface is up.")
    boolean force;

    @Mixin
    DeviceArgument target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PciAddress address = target.address();
        PciSysfs sysfs = target.sysfs();
        PrintWriter out = spec.commandLine().getOut();
        int groupNumber = sysfs.iommuGroup(address).orElseThrow(() -> new IllegalStateException(address
                + " has no IOMMU group: enable the IOMMU (intel_iommu=on or amd_iommu=on, VT-d/AMD-Vi in firmware)"));
        List<PciAddress> targets = new ArrayList<>();
        targets.add(address);
        List<String> others = new ArrayList<>();
        for (PciAddress member : sysfs.groupDevices(groupNumber)) {
            if (!member.equals(address) && GroupViability.offenders(groupNumber, sysfs).stream().anyMatch(o -> o.startsWith(member.toString()))) {
                others.add(member + " (" + sysfs.driver(member).orElse("") + ")");
                targets.add(member);
            }
        }
        if (!others.isEmpty() && !group) {
            throw new IllegalStateException("refusing to bind " + address + ": IOMMU group " + groupNumber + " also holds "
                    + String.join(", ", others) + ", which VFIO cannot share; bind the whole group with --group, or"
                    + " unbind those first");
        }
        for (PciAddress a : targets) {
            refuseIfInUse(a);
        }
        DriverMemory memory = DriverMemory.system();
        memory.ready(); // else a device could be bound with no record of the driver unbind gives it back to
        for (PciAddress a : targets) {
            String before = sysfs.driver(a).orElse("");
            if (before.equals(PciSysfs.VFIO_PCI)) {
                out.printf("%s: already on vfio-pci%n", a);
                continue;
            }
            // Remembered first: a bind cut short between its sysfs writes leaves the device with no driver,
            // and unbind (or a bind again) then knows the one to give back.
            String previous = memory.recallDriverless(a, sysfs).orElse(before);
            memory.remember(a, previous);
            try {
                sysfs.bindToVfioPci(a);
            } catch (VfioException | RuntimeException e) {
                try {
                    if (sysfs.driver(a).orElse("").equals(before)) {
                        memory.forget(a); // given back, as the failure says; else unbind needs the record
                    }
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            out.printf("%s: bound to vfio-pci (was %s%s)%n", a, previous.isEmpty() ? "unbound" : previous,
                    before.equals(previous) ? "" : " before an earlier jvfio bind");
        }
        out.printf("IOMMU group %d: %s%n", groupNumber, GroupViability.offenders(groupNumber, sysfs).isEmpty()
                ? "viable; open " + sysfs.vfioGroupNode(groupNumber) + sysfs.vfioCdev(address).map(p -> " or " + p).orElse("")
                : GroupViability.explain(groupNumber, sysfs));
        out.flush();
        return ExitCodes.OK;
    }

    /** A device carrying a network interface that is up is in use: unbinding it would cut the link. */
    private void refuseIfInUse(PciAddress a) throws IOException {
        if (force) {
            return;
        }
        Path net = target.roots.sys.resolve("bus/pci/devices/" + a + "/net");
        if (!Files.isDirectory(net)) {
            return;
        }
        try (Stream<Path> interfaces = Files.list(net)) {
            for (Path i : (Iterable<Path>) interfaces::iterator) {
                Path state = i.resolve("operstate");
                if (Files.exists(state) && Files.readString(state).trim().equals("up")) {
                    throw new IllegalStateException("refusing to bind " + a + ": its network interface " + i.getFileName()
                            + " is up; take it down (ip link set " + i.getFileName() + " down) or use --force");
                }
            }
        }
    }
}
