package io.jvfio.bench;

import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.HugePagePool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

/**
 * The demand-paging benchmark, run inside the iopf guest by scripts/bench/bench-guest.sh, on the
 * kernel's iommufd mock (see {@link MockRig}), in three parts:
 * <ol>
 * <li>demand mapping, Java against C ({@link DemandMapRace}): faults resolved by mapping the page,
 *     single-record and batched reads, median of alternating runs; its latency distributions are
 *     plotted in an SVG beside the table ({@link LatencySvg});</li>
 * <li>fault-around: a device ({@link DeviceTouch}) touching 256 MiB sequentially and 10% of it at
 *     random, for each map window: faults taken, the time of the pass, memory mapped at the end; the
 *     2 MiB window also on memory backed by huge pages;</li>
 * <li>pin everything against demand paging: pinning and mapping 256 MiB and 1 GiB up front (one
 *     IOMMU_IOAS_MAP, or {@link DemandMapPolicy#pin}) against a device touching 1%, 10%
 *     and 100% of it at random under demand paging, with 4 KiB, 64 KiB and the fastest random window
 *     of part 2.</li>
 * </ol>
 * Figures only, nothing asserted. Usage: DemandPagingBenchmark [OUT_FILE] (the SVG goes beside it as
 * demand-latency.svg); system properties jvfio.bench.memory.mib (parts 1 and 2, default 256),
 * jvfio.bench.demand.faults, jvfio.bench.runs, jvfio.bench.warmup (the fewest warm-up rounds: see
 * {@link WarmUp}), jvfio.bench.pin.sizes (MiB, comma-separated), jvfio.bench.demand.raceOnly (part 1
 * alone).
 */
public final class DemandPagingBenchmark {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final long MEMORY = Long.getLong("jvfio.bench.memory.mib", 256) << 20;
    private static final int FAULTS = Integer.getInteger("jvfio.bench.demand.faults", (int) (MEMORY / MockRig.PAGE));
    private static final int RUNS = Integer.getInteger("jvfio.bench.runs", 5);
    private static final int WARMUP = Integer.getInteger("jvfio.bench.warmup", 2);
    private static final long[] WINDOWS = {4L << 10, 16L << 10, 64L << 10, 256L << 10, 1L << 20, 2L << 20};
    private static final double RANDOM_FRACTION = 0.10;
    private static final double[] TOUCHED = {0.01, 0.10, 1.0};
    /** A window between the page and the fastest one, which may well map everything. */
    private static final long MIDDLE_WINDOW = 64L << 10;
    private static final String PIN_SIZES = System.getProperty("jvfio.bench.pin.sizes", "256,1024");
    /** Part 1 alone: to compare the Java and C loops over many boots quickly. */
    private static final boolean RACE_ONLY = Boolean.getBoolean("jvfio.bench.demand.raceOnly");

    private DemandPagingBenchmark() {}

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        String svg;
        try (MockRig rig = new MockRig()) {
            long bestWindow = 0;
            try (DmaBuffer memory = DmaBuffer.allocate(MEMORY)) {
                svg = race(rig, memory, out);
                if (!RACE_ONLY) {
                    bestWindow = faultAround(rig, memory, out);
                }
            }
            if (!RACE_ONLY) {
                pinEverything(rig, bestWindow, out);
            }
        }
        System.out.println(out);
        if (args.length > 0) {
            Path table = Path.of(args[0]);
            Files.writeString(table, out, StandardCharsets.UTF_8);
            Path parent = table.toAbsolutePath().getParent();
            Files.writeString(parent.resolve("demand-latency.svg"), svg, StandardCharsets.UTF_8);
        }
    }

    /** Part 1; returns the SVG of the median runs' latency distributions. */
    private static String race(MockRig rig, DmaBuffer memory, StringBuilder out) throws Exception {
        DemandMapRace race = new DemandMapRace(rig, memory, FAULTS);
        List<LatencySvg.Series> series = new ArrayList<>();
        StringBuilder rows = new StringBuilder();
        List<WarmUp.Result> warmUps = new ArrayList<>();
        for (int batch : new int[] {1, FaultServiceLoop.DEFAULT_BATCH}) {
            PairedRun.Run<DemandMapRace.Run> cRun = () -> race.runC(batch);
            PairedRun.Run<DemandMapRace.Run> javaRun = () -> race.runJava(batch);
            WarmUp.Result warm = WarmUp.untilQuiet(WARMUP, () -> PairedRun.of(cRun, javaRun));
            System.out.printf("demand mapping, batch %d: %s%n", batch, warm);
            warmUps.add(warm);
            // Every run on the console (the serial log): the table shows only the medians.
            PairedRun.Series<DemandMapRace.Run> runs = PairedRun.measure(RUNS, cRun, javaRun, DemandMapRace.Run::faultsPerSecond,
                    (i, pair) -> System.out.printf("demand mapping, batch %d, run %d: C %,.0f faults/s (p99 %.1f us; %s), Java"
                            + " %,.0f faults/s (p99 %.1f us; %s)%n", batch, i, pair.c().faultsPerSecond(), pair.c().p99() / 1e3,
                            pair.cActivity(), pair.java().faultsPerSecond(), pair.java().p99() / 1e3, pair.javaActivity()));
            DemandMapRace.Run mc = runs.medianC();
            DemandMapRace.Run mj = runs.medianJava();
            String mode = batch == 1 ? "single" : "batched";
            rows.append(String.format("| %s | %d | %,.0f | %,.0f | %.2f | %s | %.1f / %.1f | %.1f / %.1f |%n", mode, batch,
                    mc.faultsPerSecond(), mj.faultsPerSecond(), mj.faultsPerSecond() / mc.faultsPerSecond(), runs.ratioRange(),
                    mc.p50() / 1e3, mc.p99() / 1e3, mj.p50() / 1e3, mj.p99() / 1e3));
            series.add(new LatencySvg.Series("C, " + mode, mc.latency(), true));
            series.add(new LatencySvg.Series("Java, " + mode, mj.latency(), false));
        }
        out.append(String.format("Demand mapping: %,d faults on distinct unmapped pages per run, each mapped (one IOMMU_IOAS_MAP"
                + " of 4 KiB) then answered; median of %d runs after warming up until the JIT is quiet (single: %s;"
                + " batched: %s) (Java %s, %d vCPUs)%n%n", FAULTS, RUNS, warmUps.get(0), warmUps.get(1),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors()));
        out.append("| mode | records per read | C faults/s | Java faults/s | Java/C | Java/C of each run | C p50 / p99 us"
                + " | Java p50 / p99 us |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        out.append(rows).append('\n');
        return LatencySvg.render("Demand mapping: read-to-answer latency per fault (median runs)", series);
    }

    /** Part 2; returns the window with the fastest random pass. */
    private static long faultAround(MockRig rig, DmaBuffer memory, StringBuilder out) throws Exception {
        int pages = (int) (memory.size() / MockRig.PAGE);
        int[] sequential = TouchOrder.sequential(pages);
        int[] random = TouchOrder.random(pages, RANDOM_FRACTION);
        out.append(String.format("Fault-around: a device touching %s of guest memory, every page in order (sequential) or"
                + " %.0f%% of its pages in random order (random); each untouched page is one page request, served by the"
                + " Java loop (batch %d) with DemandMapPolicy mapping the aligned fault-around window in one map call; one pass each%n%n",
                DemandMapPolicies.size(memory.size()), RANDOM_FRACTION * 100, FaultServiceLoop.DEFAULT_BATCH));
        out.append("| window | pattern | pages touched | faults | map calls | IOMMU page | pass ms | us per fault | mapped MiB |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        long best = WINDOWS[0];
        long bestNanos = Long.MAX_VALUE;
        for (long window : WINDOWS) {
            for (String pattern : new String[] {"sequential", "random"}) {
                DeviceTouch.Pass p = DeviceTouch.run(rig, memory, window, pattern.equals("random") ? random : sequential);
                check(p);
                out.append(aroundRow(DemandMapPolicies.size(window), pattern, p));
                if (pattern.equals("random") && p.nanos() < bestNanos) {
                    bestNanos = p.nanos();
                    best = window;
                }
            }
        }
        hugePageRows(rig, memory.size(), sequential, random, out);
        out.append('\n');
        return best;
    }

    /**
     * The 2 MiB window again on memory backed by 2 MiB huge pages (a hugetlb memfd): each window is one
     * huge folio to pin, where anonymous memory is 512 small pages. On 6.12 the mock domain maps in 2 KiB
     * pages only, so what differs there is iommufd's pinning; on 7.2 the mock is a generic (AMDv1-format)
     * page table with large pages, and the IOMMU page column shows what the window became. The
     * row says "skipped" when the guest's huge page pool cannot be grown ({@link HugePagePool} puts it
     * back after).
     */
    private static void hugePageRows(MockRig rig, long size, int[] sequential, int[] random, StringBuilder out)
            throws Exception {
        long window = DmaBuffer.HUGE_PAGE_SIZE;
        String name = DemandMapPolicies.size(window) + ", huge pages";
        try (HugePagePool pool = HugePagePool.reserve((size + window - 1) / window)) {
            DmaBuffer memory;
            try {
                memory = DmaBuffer.memfd("demand-hugetlb", size, true);
            } catch (VfioException e) {
                out.append(String.format("| %s | skipped: %s | | | | | | | |%n", name, e.getMessage()));
                return;
            }
            try (memory) {
                for (String pattern : new String[] {"sequential", "random"}) {
                    DeviceTouch.Pass p = DeviceTouch.run(rig, memory, window, pattern.equals("random") ? random : sequential);
                    check(p);
                    out.append(aroundRow(name, pattern, p));
                }
            }
        }
    }

    private static String aroundRow(String window, String pattern, DeviceTouch.Pass p) {
        return String.format("| %s | %s | %,d | %,d | %,d | %s | %,.1f | %.1f | %,.1f |%n", window, pattern, p.touched(), p.faults(),
                p.mapCalls(), DemandMapPolicies.size(p.iommuPage()), p.nanos() / 1e6, p.faults() == 0 ? 0 : p.nanos() / 1e3 / p.faults(),
                p.bytesMapped() / (double) (1 << 20));
    }

    private static void check(DeviceTouch.Pass p) {
        if (p.unresolved() != 0 || p.stats().success() != p.faults()) {
            throw new IllegalStateException(p.unresolved() + " faults answered without their page mapped: " + p.stats());
        }
    }

    /** Part 3. */
    private static void pinEverything(MockRig rig, long window, StringBuilder out) throws Exception {
        List<String> rows = new ArrayList<>();
        double touchMicros = 0;
        for (String mib : PIN_SIZES.split(",")) {
            long size = Long.parseLong(mib.trim()) << 20;
            String memoryName = DemandMapPolicies.size(size);
            int pages = (int) (size / MockRig.PAGE);
            try (DmaBuffer memory = DmaBuffer.allocate(size)) {
                long before = MockRig.pinnedBytes();
                long t0 = System.nanoTime();
                rig.ioas.map(memory.address(), size, MockRig.BASE, RW);
                long mapNanos = System.nanoTime() - t0;
                long pinned = MockRig.pinnedBytes() - before;
                if (touchMicros == 0) {
                    touchMicros = touchMicros(rig, memory, pages);
                }
                rig.unmapGuest(size);
                rows.add(pinRow(memoryName, "pin all: one IOMMU_IOAS_MAP", "-", 0, mapNanos, size, pinned));

                GuestRegion region = new GuestRegion(MockRig.BASE, memory.address(), size, RW);
                DemandMapPolicy policy = DemandMapPolicies.windowed(rig.ioas, region, MockRig.PAGE);
                try {
                    before = MockRig.pinnedBytes();
                    t0 = System.nanoTime();
                    policy.pin(IovaRange.ofLength(MockRig.BASE, size));
                    long pinNanos = System.nanoTime() - t0;
                    pinned = MockRig.pinnedBytes() - before;
                    rows.add(pinRow(memoryName, "pin all: DemandMapPolicy.pin", "-", 0, pinNanos, policy.bytesMapped(), pinned));
                } finally {
                    rig.unmapGuest(size);
                    policy.close();
                }

                for (long w : LongStream.of(MockRig.PAGE, MIDDLE_WINDOW, window).distinct().toArray()) {
                    for (double fraction : TOUCHED) {
                        DeviceTouch.Pass p = DeviceTouch.run(rig, memory, w, TouchOrder.random(pages, fraction));
                        check(p);
                        rows.add(pinRow(memoryName, "demand paging, " + DemandMapPolicies.size(w) + " window",
                                String.format("%.0f%%", fraction * 100), p.faults(), p.nanos(), p.bytesMapped(), p.bytesPinned()));
                    }
                }
            }
        }
        out.append(String.format("Pin everything or page on demand: the time and memory to pin and map all of a guest's memory"
                + " before the device runs (what VFIO does without IOPF) against demand paging while a device touches random"
                + " pages, with a one-page window, 64 KiB and %s (the fastest random window above). Demand-paging times are whole device passes: they include"
                + " the device's own touches, %.1f us per page touched here (a touch is one IOMMU_TEST_OP_MD_CHECK_MAP)."
                + " Pinned: what the kernel counts in VmPin.%n%n", DemandMapPolicies.size(window), touchMicros));
        out.append("| memory | strategy | touched | faults | time ms | mapped MiB | pinned MiB |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        for (String r : rows) {
            out.append(r).append('\n');
        }
    }

    private static String pinRow(String memory, String strategy, String touched, long faults, long nanos, long mapped,
                                 long pinned) {
        return String.format("| %s | %s | %s | %,d | %,.1f | %,.1f | %,.1f |", memory, strategy, touched, faults, nanos / 1e6,
                mapped / (double) (1 << 20), pinned / (double) (1 << 20));
    }

    /** What one device touch of a mapped page costs, in us: a pass over {@code pages} pages all mapped. */
    private static double touchMicros(MockRig rig, DmaBuffer memory, int pages) {
        long t0 = System.nanoTime();
        for (int page = 0; page < pages; page++) {
            long offset = (long) page * MockRig.PAGE;
            if (!rig.mock.mapsTo(MockRig.BASE + offset, MockRig.PAGE, memory.address() + offset)) {
                throw new IllegalStateException("page " + page + " of " + memory + " is not mapped after the one big map");
            }
        }
        return (System.nanoTime() - t0) / 1e3 / pages;
    }
}
