package io.jvfio.bench;

import io.jvfio.EventFd;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.testing.FaultReferenceLoop;
import io.jvfio.testing.MockIommuDevice;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The IOPF benchmark, run inside the iopf guest by scripts/bench/bench-guest.sh: the Java fault-service
 * loop against jvfio-testing's C reference loop, on the same fault source (the kernel's iommufd test mock
 * delivering through a real fault fd). Each run queues N page requests first, then lets one loop
 * drain and answer them all, so both loops see exactly the same queue; the producer is not timed.
 * Runs alternate C and Java; the median run is reported. Each run is timed from the call that
 * starts the loop to the last answer, so the Java figure includes starting its thread (about a
 * millisecond under TCG): runs are long enough (200,000 faults) to make that small. The benchmark
 * thread sleeps through a Java run until the last group is resolved ({@link RunEnd}). Latency is
 * read-to-answer per batch, weighted by the groups in it, as {@link FaultStats} records it.
 *
 * Usage: IopfBenchmark [OUT_FILE] (the latency plot goes beside it as iopf-latency.svg; system
 * properties: jvfio.bench.faults, .runs, .warmup (the fewest warm-up rounds; {@link WarmUp} runs more
 * while the JIT still compiles))
 */
public final class IopfBenchmark {
    private static final long BASE = MockIommuDevice.aperture().start();
    private static final int FAULTS = Integer.getInteger("jvfio.bench.faults", 200_000);
    private static final int RUNS = Integer.getInteger("jvfio.bench.runs", 5);
    private static final int WARMUP = Integer.getInteger("jvfio.bench.warmup", 2);

    private final Iommufd iommufd;
    private final IoAddressSpace ioas;
    private final FaultQueue queue;
    private final MockIommuDevice mock;

    private IopfBenchmark() throws Exception {
        iommufd = Iommufd.open();
        ioas = IoAddressSpace.allocate(iommufd);
        queue = FaultQueue.allocate(iommufd);
        mock = MockIommuDevice.create(ioas, queue);
    }

    /** One drain of a full queue: throughput and the latency distribution in ns. */
    record Run(double faultsPerSecond, Histogram latency) {
        long p50() {
            return latency.getValueAtPercentile(50);
        }

        long p99() {
            return latency.getValueAtPercentile(99);
        }
    }

    public static void main(String[] args) throws Exception {
        IopfBenchmark bench = new IopfBenchmark();
        List<String> rows = new ArrayList<>();
        List<LatencySvg.Series> series = new ArrayList<>();
        List<WarmUp.Result> warmUps = new ArrayList<>();
        try {
            for (int batch : new int[] {1, FaultServiceLoop.DEFAULT_BATCH}) {
                PairedRun.Run<Run> cRun = () -> bench.runC(batch);
                PairedRun.Run<Run> javaRun = () -> bench.runJava(batch);
                WarmUp.Result warm = WarmUp.untilQuiet(WARMUP, () -> PairedRun.of(cRun, javaRun));
                System.out.printf("iopf, batch %d: %s%n", batch, warm);
                warmUps.add(warm);
                PairedRun.Series<Run> runs = PairedRun.measure(RUNS, cRun, javaRun, Run::faultsPerSecond, (i, pair) ->
                        System.out.printf("iopf, batch %d, run %d: C %,.0f faults/s (%s), Java %,.0f faults/s (%s)%n", batch, i,
                                pair.c().faultsPerSecond(), pair.cActivity(), pair.java().faultsPerSecond(), pair.javaActivity()));
                Run mc = runs.medianC();
                Run mj = runs.medianJava();
                rows.add(row(batch, mc, mj, runs.ratioRange()));
                String mode = batch == 1 ? "single" : "batched";
                series.add(new LatencySvg.Series("C, " + mode, mc.latency(), true));
                series.add(new LatencySvg.Series("Java, " + mode, mj.latency(), false));
            }
        } finally {
            bench.close();
        }
        String table = table(rows, warmUps);
        System.out.println(table);
        if (args.length > 0) {
            Path out = Path.of(args[0]);
            Files.writeString(out, table, StandardCharsets.UTF_8);
            Files.writeString(out.toAbsolutePath().getParent().resolve("iopf-latency.svg"), LatencySvg.render(
                    "Fault queue round trip (no-op policy): read-to-answer latency per fault", series), StandardCharsets.UTF_8);
        }
    }

    private void fill() throws Exception {
        long delivered = mock.triggerBurst(0, FaultPermissions.READ | FaultPermissions.WRITE, BASE, 4096, FAULTS);
        if (delivered != FAULTS) {
            throw new IllegalStateException("the mock delivered " + delivered + " of " + FAULTS + " faults");
        }
    }

    private Run runC(int batch) throws Exception {
        fill();
        ByteBuffer samples = CLoopSamples.allocate(FAULTS);
        try (EventFd stop = EventFd.create()) {
            long t0 = System.nanoTime();
            long answered = FaultReferenceLoop.serve(queue, stop, batch, FAULTS, samples);
            long elapsed = System.nanoTime() - t0;
            if (answered != FAULTS) {
                throw new IllegalStateException("the C loop answered " + answered + " of " + FAULTS);
            }
            return new Run(FAULTS * 1e9 / elapsed, CLoopSamples.histogram(samples, FAULTS));
        }
    }

    private Run runJava(int batch) throws Exception {
        fill();
        RunEnd end = new RunEnd(group -> FaultResponse.SUCCESS, FAULTS);
        try (FaultServiceLoop loop = new FaultServiceLoop(queue, end, batch)) {
            long t0 = System.nanoTime();
            loop.start();
            end.await(loop);
            long elapsed = System.nanoTime() - t0;
            FaultStats.Snapshot s = loop.stats();
            if (s.groups() != FAULTS || s.rejectedResponses() != 0) {
                throw new IllegalStateException("the Java loop answered " + s + " of " + FAULTS, loop.failure());
            }
            return new Run(FAULTS * 1e9 / elapsed, loop.latencyHistogram());
        }
    }

    private static String row(int batch, Run c, Run java, String ratios) {
        return String.format("| %s | %d | %,.0f | %,.0f | %.2f | %s | %.1f / %.1f | %.1f / %.1f |",
                batch == 1 ? "single" : "batched", batch, c.faultsPerSecond(), java.faultsPerSecond(),
                java.faultsPerSecond() / c.faultsPerSecond(), ratios, c.p50() / 1e3, c.p99() / 1e3, java.p50() / 1e3, java.p99() / 1e3);
    }

    private static String table(List<String> rows, List<WarmUp.Result> warmUps) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("IOPF: %,d queued page requests per run, median of %d runs after warming up until the JIT is"
                + " quiet (single: %s; batched: %s) (Java %s, %d vCPUs)%n%n", FAULTS, RUNS, warmUps.get(0), warmUps.get(1),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        sb.append("| mode | records per read | C faults/s | Java faults/s | Java/C | Java/C of each run | C p50 / p99 us"
                + " | Java p50 / p99 us |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (String r : rows) {
            sb.append(r).append('\n');
        }
        return sb.toString();
    }

    private void close() throws Exception {
        mock.close();
        queue.close();
        ioas.close();
        iommufd.close();
    }
}
