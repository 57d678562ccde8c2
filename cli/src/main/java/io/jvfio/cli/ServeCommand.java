package io.jvfio.cli;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultStats;
import io.jvfio.memory.IovaRange;
import io.jvfio.pci.PciAddress;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve I/O page faults: guest memory registered for demand mapping (pinned ranges mapped up front),"
                + " an iommufd fault queue and the fault-service loop, with live statistics. Stops on Ctrl-C, after"
                + " --duration, or when a --burst is answered, and prints a summary. Exits 0, or 4 if some page requests"
                + " were answered INVALID, or 3 if this kernel cannot deliver faults for the device.")
final class ServeCommand implements Callable<Integer> {
    /** Where faults come from. */
    static final class Source {
        @Option(names = "--device", paramLabel = "BDF", description = "A device on vfio-pci with a cdev; needs Linux 6.13+"
                + " (6.12 delivers faults only through nested page tables).")
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

    @Option(names = "--window", defaultValue = "1", description = "Pages mapped per fault (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--burst", paramLabel = "N", description = "With --mock: fire N page requests over guest memory outside the pinned ranges, stop when all are answered.")
    long burst;

    @Option(names = "--outside", paramLabel = "N", description = "With --burst: also fire N page requests beyond guest memory (answered INVALID).")
    long outside;

    @Option(names = "--duration", paramLabel = "SEC", description = "Stop after this many seconds.")
    double duration;

    @Option(names = "--interval", paramLabel = "SEC", defaultValue = "1", description = "Seconds between statistics lines (default: ${DEFAULT-VALUE}).")
    double interval;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        FaultServer.Builder b = FaultServer.builder().memory(SizeParser.parse(memory)).batch(batch).window(window)
                .policy(policyChoice());
        if (source.device != null) {
            b.device(PciAddress.parse(source.device));
        } else if (burst == 0 && duration == 0) {
            spec.commandLine().getErr().println("jvfio serve: the mock issues no faults by itself; serving until Ctrl-C");
        }
        if (burst > 0 && source.mock == false) {
            throw new IllegalArgumentException("--burst needs --mock: a real device issues its own page requests");
        }
        if (iova != null) {
            b.iova(SizeParser.parse(iova));
        }
        for (String pin : pins) {
            b.pin(parsePin(pin));
        }
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        int[] exit = {ExitCodes.OK};
        Thread hook = new Thread(() -> {
            stopRequested.countDown();
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.flush();
            // The JVM would exit 130 after SIGINT; a clean stop is a success for scripts.
            Runtime.getRuntime().halt(exit[0]);
        }, "jvfio-serve-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (FaultServer server = b.open()) {
            out.printf("serving %s: guest memory %s at IOVA 0x%x, %d pinned range(s), policy %s, batch %d%n",
                    source.device != null ? source.device : "the iommufd test mock", memory, server.region().iova(), pins.size(),
                    policy, batch);
            out.flush();
            server.start();
            if (burst > 0) {
                server.fireBurst(burst, outside);
            }
            waitForStop(server, stopRequested, out);
            server.close();
            exit[0] = summarize(server, out);
            return exit[0];
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running (Ctrl-C): it exits with exit[0].
            }
        }
    }

    private FaultServer.PolicyChoice policyChoice() {
        return switch (policy) {
            case "demand-map" -> FaultServer.PolicyChoice.DEMAND_MAP;
            case "reject-all" -> FaultServer.PolicyChoice.REJECT_ALL;
            default -> throw new IllegalArgumentException("--policy is demand-map or reject-all, not '" + policy + "'");
        };
    }

    static IovaRange parsePin(String pin) {
        int plus = pin.indexOf('+');
        if (plus <= 0) {
            throw new IllegalArgumentException("--pin takes OFFSET+SIZE (e.g. 0+1M), not '" + pin + "'");
        }
        long offset = SizeParser.parse(pin.substring(0, plus));
        long size = SizeParser.parse(pin.substring(plus + 1));
        if (size == 0) {
            throw new IllegalArgumentException("--pin " + pin + ": the size must not be 0");
        }
        return IovaRange.ofLength(offset, size);
    }

    private void waitForStop(FaultServer server, CountDownLatch stopRequested, PrintWriter out) throws InterruptedException {
        long expected = burst + outside;
        long deadline = duration > 0 ? System.nanoTime() + (long) (duration * 1e9) : Long.MAX_VALUE;
        long step = Math.max(10, (long) (interval * 1000));
        long lastFaults = 0;
        long lastTime = System.nanoTime();
        long nextPrint = lastTime + step * 1_000_000;
        while (server.isRunning() && System.nanoTime() < deadline) {
            if (stopRequested.await(Math.min(step, 50), TimeUnit.MILLISECONDS)) {
                return;
            }
            FaultStats.Snapshot s = server.stats();
            long now = System.nanoTime();
            if (now >= nextPrint) {
                out.printf("%,10d faults %,9.0f faults/s  p50 %6.1f us  p99 %6.1f us  success %,d  invalid %,d%n", s.faults(),
                        (s.faults() - lastFaults) * 1e9 / (now - lastTime), s.p50Nanos() / 1e3, s.p99Nanos() / 1e3, s.success(), s.invalid());
                out.flush();
                lastFaults = s.faults();
                lastTime = now;
                nextPrint = now + step * 1_000_000;
            }
            if (expected > 0 && s.groups() >= expected) {
                return;
            }
        }
    }

    private int summarize(FaultServer server, PrintWriter out) {
        FaultStats.Snapshot s = server.stats();
        DemandMapPolicy p = server.demandMap();
        out.printf("served %,d faults in %,d groups: %,d success, %,d invalid, %,d policy errors; %,.0f faults/s;"
                        + " latency p50 %.1f us, p99 %.1f us, max %.1f us%n", s.faults(), s.groups(), s.success(), s.invalid(),
                s.policyErrors(), s.faultsPerSecond(), s.p50Nanos() / 1e3, s.p99Nanos() / 1e3, s.maxNanos() / 1e3);
        out.printf("demand map: %,d pages mapped, %,d faults outside guest memory, %,d in pinned ranges, %,d map failures%n",
                p.pagesMapped(), p.outsideFaults(), p.pinnedFaults(), p.mapFailures());
        out.flush();
        if (server.failure() != null) {
            throw new IllegalStateException("the fault loop failed: " + server.failure().getMessage(), server.failure());
        }
        return s.invalid() > 0 ? ExitCodes.FAULTS_REFUSED : ExitCodes.OK;
    }
}
