package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import io.jvfio.vfio.VfioGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "unbind", mixinStandardHelpOptions = true,
        description = "Take a device off vfio-pci and give it back to the driver it had before `jvfio bind` (or let the"
                + " kernel pick one). Refuses while a process has the device open.")
final class UnbindCommand implements Callable<Integer> {
    @Mixin
    DeviceArgument target;

    @Option(names = "--force", description = "Unbind although it cannot be told whether a process holds the device: one"
            + " holds a VFIO device fd that this kernel does not name (before Linux 6.18), or one's open files cannot be"
            + " read. If it is this device's, the unbind waits until that process lets go.")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PciAddress address = target.address();
        PciSysfs sysfs = target.sysfs();
        String driver = sysfs.driver(address).orElse("");
        DriverMemory memory = DriverMemory.system();
        Optional<String> driverless = memory.recallDriverless(address, sysfs);
        boolean cutShort = driverless.isPresent();
        if (!driver.equals(PciSysfs.VFIO_PCI) && !cutShort) {
            throw new IllegalStateException(address + " is not on vfio-pci (its driver: " + (driver.isEmpty() ? "none" : driver)
                    + "); nothing to unbind");
        }
        refuseIfOpen(address, sysfs, force);
        Optional<String> previous = cutShort ? driverless : memory.recall(address);
        String now;
        if (previous.isPresent()) {
            sysfs.restoreDriver(address, previous.get());
            now = previous.get();
        } else {
            now = sysfs.reprobe(address);
        }
        memory.forget(address);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s: %s%s%n", address, cutShort ? "without a driver since jvfio bound it; " : "",
                now.isEmpty() ? "unbound (no driver took it)" : "back on " + now);
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * vfio-pci's remove waits for the user to let go, so unbinding an open device would hang. A device
     * is open if its group node will not open (EBUSY), a process holds its group node or cdev, or a
     * device fd of it: a process may keep the device fd and close the group, which then opens as if
     * free. Linux names a device fd's device only since 6.18; before, any device fd held refuses,
     * unless {@code force}, and so does a process whose open files root cannot read.
     */
    private static void refuseIfOpen(PciAddress address, PciSysfs sysfs, boolean force) throws VfioException {
        int group = sysfs.iommuGroup(address).orElse(-1);
        if (group >= 0 && isDeviceNode(sysfs.vfioGroupNode(group)) && VfioGroup.inUse(group, sysfs)) {
            throw new IllegalStateException("refusing to unbind " + address + ": a process has it open (IOMMU group "
                    + group + " is busy); stop that process first");
        }
        List<Path> nodes = new ArrayList<>();
        if (group >= 0) {
            nodes.add(sysfs.vfioGroupNode(group));
        }
        sysfs.vfioCdev(address).ifPresent(nodes::add);
        OpenFiles open = OpenFiles.scan(nodes);
        open.holder(nodes).ifPresent(holder -> {
            throw new IllegalStateException("refusing to unbind " + address + ": a process has it open (" + holder
                    + "); stop that process first");
        });
        List<OpenFiles.DeviceFd> deviceFds = open.vfioDeviceFds();
        for (OpenFiles.DeviceFd d : deviceFds) {
            if (d.isOf(address.toString())) {
                throw new IllegalStateException("refusing to unbind " + address + ": a process has it open (" + d.process()
                        + " holds a device fd of it); stop that process first");
            }
        }
        if (force) {
            return;
        }
        deviceFds.stream().filter(d -> d.syspath().isEmpty()).findFirst().ifPresent(d -> {
            throw new IllegalStateException("refusing to unbind " + address + ": " + d.process() + " holds a VFIO device fd"
                    + " and this kernel does not say of which device (Linux 6.18 names it in /proc/PID/fdinfo); if it is "
                    + address + "'s, the unbind would wait until that process lets go. Stop that process, or pass --force"
                    + " if it holds another device");
        });
        if (isRoot() && !open.unreadable().isEmpty()) { // another user than root is refused the unbind itself, by sysfs
            throw new IllegalStateException("refusing to unbind " + address + ": the open files of "
                    + String.join(", ", open.unreadable()) + " cannot be read (EACCES: a container without CAP_SYS_PTRACE?);"
                    + " if one holds " + address + ", the unbind would wait until it lets go. Pass --force if none does");
        }
    }

    private static boolean isRoot() {
        try {
            return DriverMemory.uid() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Root opens the group node read-write only if it is a device node itself, not a symlink a --devfs tree planted. */
    private static boolean isDeviceNode(Path node) {
        try {
            return Files.readAttributes(node, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther();
        } catch (IOException e) {
            return false;
        }
    }
}
