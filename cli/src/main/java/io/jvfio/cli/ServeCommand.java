package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.DevicePolicyTable;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServer;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import io.jvfio.testing.MockFaultSource;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Give a device guest memory the way the device policy table says: a device with PRI marked"
                + " ARBITRARY_FAULTS gets an iommufd fault queue and the fault-service loop mapping memory on demand"
                + " (--pin ranges mapped up front), with live statistics; every other device gets all memory pinned and"
                + " mapped, and no fault queue. Stops on Ctrl-C, after --duration, or when a --burst is answered, and"
                + " prints a summary. Exits 0, or 4 if some page requests were answered INVALID (or their answers refused by the kernel), or 3 if this kernel"
                + " cannot deliver faults for the device.")
final class ServeCommand implements Callable<Integer> {
    /** Where faults come from. */
    static final class Source {
        @Option(names = "--device", paramLabel = "BDF", description = "A device on vfio-pci with a cdev. Demand-faulting it"
                + " needs PRI, the table's (or --policies') opt-in and Linux 6.13+ (6.12 delivers faults only through"
                + " nested page tables).")
        String device;

        @Option(names = "--mock", description = "The kernel's iommufd test mock (CONFIG_IOMMUFD_TEST; on 6.12 boot with intel_iommu=off).")
        boolean mock;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "64M", description = "Guest memory size (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--iova", paramLabel = "ADDR", description = "Where the device sees guest memory (default: the mock's aperture, or 1G).")
    String iova;

    @Option(names = "--pin", paramLabel = "OFFSET+SIZE", description = "A non-faultable range of guest memory, e.g. 0+1M: pinned and mapped before serving. Repeatable.")
    List<String> pins = List.of();

    @Option(names = "--policy", defaultValue = "demand-map", description = "demand-map or reject-all (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--batch", defaultValue = "64", description = "Fault records per read (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--window", defaultValue = "1", description = "Pages mapped per fault from the faulting one (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--fault-around", paramLabel = "SIZE", description = "Map the aligned window of SIZE around each faulting"
            + " page with one map call: a power of two from the page size to 2M, which can become one huge IOMMU page"
            + " (default: the faulting page alone).")
    String faultAround;

    @Option(names = "--burst", paramLabel = "N", description = "With --mock: fire N page requests over guest memory outside the pinned ranges, stop when all are answered.")
    long burst;

    @Option(names = "--outside", paramLabel = "N", description = "With --burst: also fire N page requests beyond guest memory (answered INVALID).")
    long outside;

    @Option(names = "--duration", paramLabel = "SEC", description = "Stop after this many seconds.")
    double duration;

    @Option(names = "--interval", paramLabel = "SEC", defaultValue = "1", description = "Seconds between statistics lines (default: ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = "--policies", paramLabel = "FILE", description = "A device policy file on top of the built-in table:"
            + " a device marked ARBITRARY_FAULTS there (and with PRI) is demand-faulted.")
    Path policies;

    @Option(names = "--skip-pri-check", description = "With --device: attach a device the table lets fault to a faulting"
            + " page table even if its config space shows no PRI, to see what the kernel says (for labs).")
    boolean skipPriCheck;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        checkCounts();
        PciAddress device = source.device == null ? null
                : BadArgumentException.reading("--device", () -> PciAddress.parse(source.device));
        if (device != null && !PciSysfs.system().exists(device)) {
            throw new BadArgumentException("--device " + source.device + ": no PCI device " + device + " (see jvfio list)");
        }
        MockFaultSource mock = source.mock ? new MockFaultSource() : null;
        FaultServer.Builder b = mock == null ? FaultServer.forDevice(device) : FaultServer.forSource(mock);
        long bytes = SizeParser.parse("--memory", memory);
        BadArgumentException.reading("--memory", () -> b.memory(bytes));
        BadArgumentException.reading("--batch", () -> b.batch(batch));
        BadArgumentException.reading("--window", () -> b.window(window));
        if (policy.equals("reject-all")) {
            b.policy(group -> FaultResponse.INVALID);
        } else if (!policy.equals("demand-map")) {
            throw new BadArgumentException("--policy is demand-map or reject-all, not '" + policy + "'");
        }
        if (iova != null) {
            long at = SizeParser.parse("--iova", iova);
            BadArgumentException.reading("--iova", () -> b.iova(at));
        }
        if (faultAround != null) {
            long around = SizeParser.parse("--fault-around", faultAround);
            BadArgumentException.reading("--fault-around", () -> b.faultAround(around));
        }
        List<IovaRange> pinnedPages = new ArrayList<>();
        for (String pin : pins) {
            IovaRange offsets = parsePin(pin);
            if (Long.compareUnsigned(offsets.last(), bytes) >= 0) {
                throw new BadArgumentException("--pin " + pin + ": outside guest memory (--memory " + memory + ")");
            }
            b.pin(offsets);
            long page = DmaBuffer.pageSize(); // what a pin is rounded out to, as the server maps it
            pinnedPages.add(new IovaRange(offsets.start() & -page, offsets.last() | (page - 1)));
        }
        if (burst > 0 && IovaRange.ofLength(0, bytes).minus(pinnedPages).isEmpty()) {
            throw new BadArgumentException("--burst " + burst + ": --pin covers all guest memory (--memory " + memory
                    + "), which leaves the mock nothing to fault on");
        }
        if (policies != null) {
            b.policies(BadArgumentException.reading("--policies", () -> DevicePolicyTable.withOverrides(policies)));
        }
        if (skipPriCheck) {
            if (source.device == null) {
                throw new BadArgumentException("--skip-pri-check needs --device: the mock has no config space");
            }
            b.skipPriCheck();
        }
        PrintWriter out = spec.commandLine().getOut();
        String name = source.device != null ? source.device : "the iommufd test mock";
        try (StopSignals stop = new StopSignals(); FaultServer server = b.open();
                DeviceReleaseRequest release = DeviceReleaseRequest.listen(server.device(), spec.commandLine().getErr())) {
            if (source.device == null && burst == 0 && duration == 0) {
                spec.commandLine().getErr().println("jvfio serve: the mock issues no faults by itself; serving until Ctrl-C");
            }
            out.printf("%s: %s%n", name, server.decision().reason());
            if (server.loop().isEmpty()) {
                out.printf("pinned and mapped all %s of guest memory at IOVA 0x%x before attaching %s; no fault queue,"
                        + " no faults to serve%n", memory, server.region().iova(), name);
            } else {
                out.printf("serving %s: guest memory %s at IOVA 0x%x, %d pinned range(s), policy %s, batch %d, fault-around %s%n",
                        name, memory, server.region().iova(), server.pinned().size(), policy, batch,
                        faultAround != null ? faultAround : "one page");
            }
            out.flush();
            long begun = System.nanoTime(); // --duration counts the burst too
            long run = duration > 0 ? nanos(duration) : Long.MAX_VALUE;
            // Elapsed time against the run, not a deadline: now + a long run would overflow.
            BooleanSupplier timeUp = () -> System.nanoTime() - begun >= run;
            server.start();
            if (burst > 0) {
                // A Ctrl-C or the end of --duration during a long burst stops it; what was fired is answered and summed up as usual.
                MockBurst.fire(mock.device(), server.faultable(), server.region().iovaRange(), burst, outside,
                        () -> stop.requested() || timeUp.getAsBoolean());
            }
            waitForStop(server, stop, release, begun, timeUp, out);
            VfioException closing = null;
            try {
                server.close();
            } catch (VfioException e) {
                closing = e;
            }
            int status = summarize(server, out);
            if (closing != null) {
                throw closing;
            }
            Throwable failure = server.loop().map(FaultServiceLoop::failure).orElse(null);
            if (failure != null) {
                throw new IllegalStateException("the fault loop failed: " + failure.getMessage(), failure);
            }
            return status;
        }
    }

    /** The counts and times, refused before anything is opened: each names its option. */
    private void checkCounts() {
        if (burst < 0 || outside < 0) {
            throw new BadArgumentException("--burst and --outside count page requests: not " + (burst < 0 ? burst : outside));
        }
        if (burst > 0 && !source.mock) {
            throw new BadArgumentException("--burst needs --mock: a real device issues its own page requests");
        }
        if (outside > 0 && burst == 0) {
            throw new BadArgumentException("--outside needs --burst: it adds page requests to the mock's burst");
        }
        if (!Double.isFinite(duration) || duration < 0) {
            throw new BadArgumentException("--duration is a number of seconds (0: until Ctrl-C), not " + duration);
        }
        if (!Double.isFinite(interval) || interval <= 0) {
            throw new BadArgumentException("--interval is a positive number of seconds, not " + interval);
        }
    }

    static IovaRange parsePin(String pin) {
        int plus = pin.indexOf('+');
        if (plus <= 0) {
            throw new BadArgumentException("--pin takes OFFSET+SIZE (e.g. 0+1M), not '" + pin + "'");
        }
        long offset;
        long size;
        try {
            offset = SizeParser.parse(pin.substring(0, plus));
            size = SizeParser.parse(pin.substring(plus + 1));
        } catch (IllegalArgumentException e) {
            throw new BadArgumentException("--pin '" + pin + "': " + e.getMessage(), e);
        }
        if (size == 0) {
            throw new BadArgumentException("--pin " + pin + ": the size must not be 0");
        }
        return IovaRange.ofLength(offset, size);
    }

    /** {@code seconds} in nanoseconds, at most Long.MAX_VALUE: a long --duration means until Ctrl-C. */
    private static long nanos(double seconds) {
        return seconds * 1e9 >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) (seconds * 1e9);
    }

    /** Until a stop signal, the kernel's request for the device, the burst answered, or {@code timeUp}; rates count from {@code start}. */
    private void waitForStop(FaultServer server, StopSignals stop, DeviceReleaseRequest release, long start,
            BooleanSupplier timeUp, PrintWriter out) throws InterruptedException, VfioException {
        long expected = burst + outside;
        long step = Math.max(10, nanos(interval) / 1_000_000); // ms
        long printEvery = Math.min(step * 1_000_000, Long.MAX_VALUE / 4); // ns; times are compared as differences
        long lastFaults = 0;
        long lastTime = start;
        long nextPrint = lastTime + printEvery;
        FaultServiceLoop loop = server.loop().orElse(null);
        while ((loop == null || loop.failure() == null) && !timeUp.getAsBoolean()) {
            if (stop.await(Math.min(step, 50))) {
                return;
            }
            if (release.requested()) {
                out.printf("%s: the kernel asks for the device back (an unbind, a remove or a hot unplug): stopping%n",
                        source.device);
                out.flush();
                return;
            }
            if (loop == null) {
                continue;
            }
            FaultStats.Snapshot s = loop.stats();
            long now = System.nanoTime();
            if (now - nextPrint >= 0) {
                out.printf("%,10d faults %,9.0f faults/s  p50 %6.1f us  p99 %6.1f us  success %,d  invalid %,d%n", s.faults(),
                        (s.faults() - lastFaults) * 1e9 / (now - lastTime), s.p50Nanos() / 1e3, s.p99Nanos() / 1e3, s.success(), s.invalid());
                out.flush();
                lastFaults = s.faults();
                lastTime = now;
                nextPrint = now + printEvery;
            }
            if (expected > 0 && s.groups() >= expected) {
                return;
            }
        }
    }

    /** Prints what was served; returns the exit status it calls for. */
    private static int summarize(FaultServer server, PrintWriter out) {
        Optional<FaultServiceLoop> loop = server.loop();
        if (loop.isEmpty()) {
            out.printf("served no faults: all %,d bytes of guest memory stayed pinned and mapped%n", server.region().length());
            out.flush();
            return ExitCodes.OK;
        }
        FaultStats.Snapshot s = loop.get().stats();
        DemandMapPolicy p = server.demandMap().orElseThrow();
        out.printf("served %,d faults in %,d groups: %,d success, %,d invalid, %,d policy errors%s; %,.0f faults/s;"
                        + " latency p50 %.1f us, p99 %.1f us, max %.1f us%n", s.faults(), s.groups(), s.success(), s.invalid(),
                s.policyErrors(), s.rejectedResponses() == 0 ? "" : String.format(", %,d answers the kernel refused (the"
                        + " faults were answered already)", s.rejectedResponses()),
                s.faultsPerSecond(), s.p50Nanos() / 1e3, s.p99Nanos() / 1e3, s.maxNanos() / 1e3);
        out.printf("demand map: %,d pages mapped, %,d faults outside guest memory, %,d in pinned ranges, %,d map failures,"
                + " %,d map calls%n", p.pagesMapped(), p.outsideFaults(), p.pinnedFaults(), p.mapFailures(), p.mapCalls());
        out.flush();
        return s.invalid() > 0 || s.rejectedResponses() > 0 ? ExitCodes.FAULTS_REFUSED : ExitCodes.OK;
    }
}
