package io.jvfio.cli;

import io.jvfio.EventFd;
import io.jvfio.cli.demo.Edu;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultServer;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import io.jvfio.testing.MockFaultSource;
import io.jvfio.vfio.EnabledIrq;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioDevice;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The part of `jvfio demo` that runs inside the QEMU guest: one stage per guest boot. */
@Command(name = "guest-demo", hidden = true, mixinStandardHelpOptions = true,
        description = "Inside the demo guest: 'vfio' (discovery, an edu DMA round trip through the vIOMMU, an MSI) or"
                + " 'iopf' (the fault-service loop serving a burst from the kernel's test mock).")
final class GuestDemoCommand implements Callable<Integer> {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    /** edu's DMA mask is 28 bits. */
    private static final long IOVA = 0x100000;

    @Parameters(paramLabel = "STAGE", description = "vfio or iopf")
    String stage;

    @Option(names = "--edu", defaultValue = "0000:00:04.0", description = "The edu device (default: ${DEFAULT-VALUE}).")
    String edu;

    @Option(names = "--faults", defaultValue = "20000", description = "Page requests in the burst (default: ${DEFAULT-VALUE}).")
    long faults;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        refuseOutsideTheDemoGuest();
        return switch (stage) {
            case "vfio" -> vfio(out);
            case "iopf" -> iopf(out);
            default -> throw new IllegalArgumentException("the demo stages are vfio and iopf, not '" + stage + "'");
        };
    }

    /**
     * The stages bind whatever sits at --edu to vfio-pci, without bind's checks: on a host that could be
     * any device. The demo's guest runner puts jvfio.run= on the guest kernel's command line.
     */
    private static void refuseOutsideTheDemoGuest() throws IOException {
        Path cmdline = Path.of("/proc/cmdline");
        String line = Files.isReadable(cmdline) ? Files.readString(cmdline) : "";
        if (!(" " + line).contains(" jvfio.run=")) {
            throw new IllegalStateException("guest-demo runs inside the demo's QEMU guest only (no jvfio.run= on this"
                    + " kernel's command line); run jvfio demo instead");
        }
    }

    private int vfio(PrintWriter out) throws Exception {
        out.println("== 1. discovery: jvfio list ==");
        out.flush();
        int listed = Main.run(new String[] {"list"}, out, spec.commandLine().getErr());
        if (listed != 0) {
            return listed;
        }
        PciAddress address = PciAddress.parse(edu);
        out.printf("%n== 2. bind %s (QEMU's edu) to vfio-pci ==%n", address);
        String previous = PciSysfs.system().bindToVfioPci(address);
        out.printf("was on %s, now on vfio-pci; cdev %s%n", previous.isEmpty() ? "no driver" : previous,
                PciSysfs.system().vfioCdev(address).map(Object::toString).orElse("-"));
        out.printf("%n== 3. a DMA round trip through the Intel vIOMMU: RAM -> edu -> RAM ==%n");
        try (Iommufd iommufd = Iommufd.open(); VfioDevice device = VfioDevice.openCdev(address)) {
            int devId = device.bindIommufd(iommufd);
            try (IoAddressSpace ioas = IoAddressSpace.allocate(iommufd); DmaBuffer ram = DmaBuffer.allocate(2 * 4096);
                 Mmio bar0 = device.mapBar(0)) {
                device.attach(ioas);
                device.pciConfig().setBusMaster(true);
                out.printf("iommufd device %d attached to IOAS %d; edu id 0x%08x, liveness(0x12345678) = 0x%08x%n", devId, ioas.id(),
                        bar0.read32(Edu.ID), liveness(bar0));
                ioas.map(ram, IOVA, RW);
                int length = 3000;
                for (int i = 0; i < length; i++) {
                    ram.buffer().put(i, (byte) (i * 31 + 7));
                }
                Edu dma = new Edu(bar0);
                long t0 = System.nanoTime();
                dma.dmaToDevice(IOVA, 0, length);
                dma.dmaToRam(0, IOVA + 4096, length);
                long t1 = System.nanoTime();
                int mismatches = 0;
                for (int i = 0; i < length; i++) {
                    mismatches += ram.buffer().get(i) == ram.buffer().get(4096 + i) ? 0 : 1;
                }
                out.printf("mapped 8 KiB at IOVA 0x%x; %d bytes went to the device and back in %.1f ms: %s%n", IOVA, length,
                        (t1 - t0) / 1e6, mismatches == 0 ? "every byte matches" : mismatches + " bytes differ");
                out.printf("%n== 4. an MSI from the device, delivered to an eventfd ==%n");
                try (EventFd interrupt = EventFd.create(); EnabledIrq msi = device.enableIrq(PciIndex.MSI, interrupt)) {
                    long t2 = System.nanoTime();
                    bar0.write32(Edu.IRQ_RAISE, 1);
                    long count = interrupt.await(10_000);
                    out.printf("%s after %.1f ms%n", count > 0 ? "MSI received" : "no MSI within 10 s", (System.nanoTime() - t2) / 1e6);
                    bar0.write32(Edu.IRQ_ACK, 1);
                    if (count <= 0) {
                        return ExitCodes.FAILURE;
                    }
                }
                ioas.unmap(IOVA, ram.size());
                device.detach();
                return mismatches == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
            }
        }
    }

    private static int liveness(Mmio bar0) {
        bar0.write32(Edu.LIVENESS, 0x12345678);
        return bar0.read32(Edu.LIVENESS);
    }

    private int iopf(PrintWriter out) throws Exception {
        out.printf("== 5. I/O page faults: the fault-service loop on a real iommufd fault queue ==%n");
        out.println("fault source: the kernel's iommufd test mock (CONFIG_IOMMUFD_TEST); guest memory 64 MiB, first 1 MiB"
                + " pinned (selective faulting), the rest mapped on demand");
        MockFaultSource mock = new MockFaultSource();
        try (FaultServer server = FaultServer.forSource(mock).memory(64L << 20).pin(IovaRange.ofLength(0, 1L << 20)).open()) {
            DemandMapPolicy demandMap = server.demandMap().orElseThrow();
            FaultServiceLoop loop = server.loop().orElseThrow();
            long pinnedPages = demandMap.pagesMapped();
            server.start();
            long t0 = System.nanoTime();
            long fired = MockBurst.fire(mock.device(), server.faultable(), server.region().iovaRange(), faults, 16);
            while (loop.stats().groups() < fired && loop.failure() == null) {
                Thread.sleep(1);
            }
            long elapsed = System.nanoTime() - t0;
            server.close();
            FaultStats.Snapshot s = loop.stats();
            out.printf("fired %,d page requests (16 of them outside guest memory) and all %,d were answered in %.0f ms%n", fired,
                    s.groups(), elapsed / 1e6);
            out.printf("answers: %,d success, %,d invalid (the 16 outside; faults on pinned memory: %,d), %,d the kernel refused;"
                    + " %,d batches of up to %d%n", s.success(), s.invalid(), demandMap.pinnedFaults(), s.rejectedResponses(),
                    s.batches(), s.maxBatch());
            out.printf("pages: %,d pinned up front, %,d mapped on demand%n", pinnedPages, demandMap.pagesMapped() - pinnedPages);
            out.printf("latency, read to answer: p50 %.1f us, p99 %.1f us, max %.1f us%n", s.p50Nanos() / 1e3, s.p99Nanos() / 1e3,
                    s.maxNanos() / 1e3);
            return s.groups() == fired && s.rejectedResponses() == 0 && demandMap.pinnedFaults() == 0
                    ? ExitCodes.OK : ExitCodes.FAILURE;
        }
    }
}
