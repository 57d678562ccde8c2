package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.fault.DevicePolicyTable;
import io.jvfio.iommufd.HwInfo;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciCapabilities;
import io.jvfio.pci.PciSysfs;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioDeviceInfo;
import io.jvfio.vfio.VfioGroup;
import io.jvfio.vfio.VfioIrqInfo;
import io.jvfio.vfio.VfioRegionInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "One device: its PCI capabilities, which VFIO paths work here, and, when it is bound to vfio-pci,"
                + " its regions (size, flags, mmap, sparse areas), IRQs and the IOMMU's hardware info.")
final class InfoCommand implements Callable<Integer> {
    @Mixin
    DeviceArgument target;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PciAddress address = target.address();
        PciSysfs sysfs = target.sysfs();
        DeviceSummary d = DeviceSummary.of(sysfs.device(address), sysfs, DevicePolicyTable.builtIn());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("%s  %s  %s%n", address, d.info().ids(), d.info().className());
        out.printf("  driver          %s%n", d.info().driver().orElse("none"));
        out.printf("  IOMMU group     %s (%s%s)%n", d.info().iommuGroup().isPresent() ? d.info().iommuGroup().getAsInt() : "-",
                d.vfio(), d.groupOffenders().isEmpty() ? "" : ": " + String.join(", ", d.groupOffenders()));
        if (d.capabilitiesKnown()) {
            printCapabilities(out, d.capabilities());
        } else {
            out.printf("  capabilities    %s: config space past its header is readable by root only%n", DeviceSummary.UNKNOWN);
        }
        out.printf("  fault mode      %s (%s)%n", d.verdict().mode().name().toLowerCase().replace('_', '-'), d.verdict().source());
        out.println("VFIO paths on this machine");
        out.printf("  legacy container  %s%n", VfioPaths.legacyContainer(target.roots.dev));
        out.printf("  device cdevs      %s%n", VfioPaths.cdevs(target.roots.dev));
        out.printf("  iommufd           %s%n", VfioPaths.iommufd(target.roots.dev));
        out.printf("  fault queues      %s%n", VfioPaths.faultQueues(target.roots.dev));
        if (!d.info().driver().orElse("").equals(PciSysfs.VFIO_PCI)) {
            out.printf("Regions and IRQs: bind the device to vfio-pci first (jvfio bind %s)%n", address);
            out.flush();
            return ExitCodes.OK;
        }
        if (sysfs.vfioCdev(address).isPresent()) {
            printThroughCdev(out, address);
        } else {
            printThroughGroup(out, address, d.info().iommuGroup().orElseThrow(() -> new IllegalStateException(address
                    + " is on vfio-pci, but sysfs shows neither its IOMMU group nor a VFIO cdev for it")));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void printCapabilities(PrintWriter out, PciCapabilities caps) {
        out.printf("  PCIe            %s%n", caps.isExpress() ? "yes" : "no");
        out.printf("  ATS / PRI       %s / %s%s%n", caps.ats() ? "yes" : "no", caps.pri() ? "yes" : "no",
                caps.pri() ? " (" + caps.priMaxRequests() + " outstanding page requests)" : "");
        out.printf("  PASID           %s%n", caps.pasid() ? caps.maxPasidWidth() + " bits" : "no");
        out.printf("  capabilities    %s; extended %s%n",
                caps.standard().stream().map(c -> String.format("0x%02x@0x%02x", c.id(), c.offset())).toList(),
                caps.extended().stream().map(c -> String.format("0x%04x@0x%03x", c.id(), c.offset())).toList());
    }

    private static void printThroughCdev(PrintWriter out, PciAddress address) throws VfioException {
        try (Iommufd iommufd = Iommufd.open(); VfioDevice device = VfioDevice.openCdev(address)) {
            int devId = device.bindIommufd(iommufd);
            printDevice(out, device, "cdev, iommufd device " + devId);
            HwInfo hw = HwInfo.query(iommufd, devId);
            out.printf("IOMMU hardware    %s, max PASID %d bits, capabilities %s%s%n", hw.isIntelVtd() ? "Intel VT-d" : "type " + hw.type(),
                    hw.maxPasidLog2(), hw.capabilities(), hw.vtdEcapReg().isPresent()
                            ? String.format(", cap 0x%x ecap 0x%x", hw.vtdCapReg().orElse(0), hw.vtdEcapReg().getAsLong()) : "");
        }
    }

    private static void printThroughGroup(PrintWriter out, PciAddress address, int group) throws VfioException {
        try (VfioContainer container = VfioContainer.open(); VfioGroup g = VfioGroup.open(group)) {
            g.setContainer(container);
            try {
                container.setType1v2();
                try (VfioDevice device = g.openDevice(address)) {
                    printDevice(out, device, "group " + group + ", legacy container");
                }
            } finally {
                g.unsetContainer();
            }
        }
    }

    private static void printDevice(PrintWriter out, VfioDevice device, String how) throws VfioException {
        VfioDeviceInfo info = device.info();
        out.printf("VFIO device (%s): %d regions, %d IRQ types, reset %s%n", how, info.numRegions(), info.numIrqs(),
                info.supportsReset() ? "yes" : "no");
        for (VfioRegionInfo r : device.regions()) {
            if (r.size() == 0) {
                continue;
            }
            out.printf("  %-7s size 0x%-9x %s%s%s%n", PciIndex.regionName(r.index()), r.size(),
                    (r.readable() ? "r" : "-") + (r.writable() ? "w" : "-") + (r.mmappable() ? "m" : "-"),
                    r.sparseAreas().isEmpty() ? "" : " sparse " + r.sparseAreas().stream()
                            .map(a -> String.format("0x%x+0x%x", a.offset(), a.size())).toList(),
                    r.type().map(t -> " type " + t.type() + "/" + t.subtype()).orElse(""));
        }
        for (VfioIrqInfo irq : device.irqs()) {
            if (irq.count() > 0) {
                out.printf("  %-7s %d vector(s) %s%n", irq.name(), irq.count(), irq.flags());
            }
        }
    }
}
