package io.jvfio.bench;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultGroup;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * Where demand mapping's Java time goes: the race of {@link DemandMapRace} (a fault on each of N
 * unmapped pages, each mapped then answered) served by {@link FaultServiceLoop} with a policy that
 * maps each page straight through the IOAS, then with {@link DemandMapPolicy}, against the C
 * reference loop, in one boot, single-record and batched. A profiler of sorts for a guest under
 * TCG, as {@link IopfAnatomy} is for the queue round trip. Median of alternating runs, after three
 * warm-up rounds.
 *
 * Usage: DemandAnatomy [OUT_FILE] (system properties: jvfio.bench.demand.faults, jvfio.bench.runs)
 */
public final class DemandAnatomy {
    private static final int FAULTS = Integer.getInteger("jvfio.bench.demand.faults", 65_536);
    private static final int RUNS = Integer.getInteger("jvfio.bench.runs", 7);
    private static final int WARMUP = 3;

    /** The Java loops, each a row of the table. */
    private enum Variant {
        DIRECT("Java: FaultServiceLoop, its policy mapping the page straight through IoAddressSpace.tryMap"),
        POLICY("+ DemandMapPolicy (one-page window) in place of the straight map");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final MockRig rig;
    private final DmaBuffer memory;
    private final int access;
    private final DemandMapRace race;

    private DemandAnatomy(MockRig rig, DmaBuffer memory) {
        this.rig = rig;
        this.memory = memory;
        this.access = Access.mask(EnumSet.of(Access.READ, Access.WRITE));
        this.race = new DemandMapRace(rig, memory, FAULTS);
    }

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder(String.format("Where demand mapping's time goes: %,d faults on distinct unmapped"
                + " pages per run, each mapped (IOMMU_IOAS_MAP of 4 KiB) then answered; median of %d runs (Java %s)%n%n",
                FAULTS, RUNS, System.getProperty("java.version")));
        out.append("| loop | records per read | faults/s | /C | us per fault |\n|---|---|---|---|---|\n");
        try (MockRig rig = new MockRig(); DmaBuffer memory = DmaBuffer.allocate((long) FAULTS * MockRig.PAGE)) {
            DemandAnatomy a = new DemandAnatomy(rig, memory);
            for (int batch : new int[] {1, FaultServiceLoop.DEFAULT_BATCH}) {
                Variant[] variants = Variant.values();
                double[][] rates = new double[variants.length + 1][RUNS];
                for (int r = -WARMUP; r < RUNS; r++) {
                    double c = a.race.runC(batch).faultsPerSecond();
                    if (r >= 0) {
                        rates[0][r] = c;
                    }
                    for (Variant v : variants) {
                        double rate = a.run(v, batch);
                        if (r >= 0) {
                            rates[v.ordinal() + 1][r] = rate;
                        }
                    }
                }
                double c = PairedRun.median(rates[0]);
                out.append(String.format("| C reference loop | %d | %,.0f | 1.00 | %.2f |%n", batch, c, 1e6 / c));
                for (Variant v : variants) {
                    double m = PairedRun.median(rates[v.ordinal() + 1]);
                    out.append(String.format("| %s | %d | %,.0f | %.2f | %.2f |%n", v.label, batch, m, m / c, 1e6 / m));
                }
            }
        }
        System.out.println(out);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), out, StandardCharsets.UTF_8);
        }
    }

    private double run(Variant v, int batch) throws Exception {
        if (v == Variant.POLICY) {
            return race.runJava(batch).faultsPerSecond();
        }
        return race.runJava(batch, this::mapStraight).faultsPerSecond();
    }

    /** Maps each faulting page, as the C loop does, without DemandMapPolicy's records. */
    private FaultResponse mapStraight(FaultGroup group) {
        for (int k = 0; k < group.size(); k++) {
            long iova = group.addr(k) & -MockRig.PAGE;
            if (rig.ioas.tryMap(memory.address() + (iova - MockRig.BASE), MockRig.PAGE, iova, access) != 0) {
                return FaultResponse.INVALID;
            }
        }
        return FaultResponse.SUCCESS;
    }
}
