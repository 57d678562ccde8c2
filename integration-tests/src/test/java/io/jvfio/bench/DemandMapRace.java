package io.jvfio.bench;

import io.jvfio.EventFd;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.testing.FaultReferenceLoop;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import org.HdrHistogram.Histogram;

/**
 * Demand mapping, Java against C on the same fault source: the mock raises one page request on each
 * of N distinct unmapped pages of the guest memory, then one loop drains the queue, mapping each
 * page into the IOAS (IOMMU_IOAS_MAP) before answering it. Java is {@link FaultServiceLoop} with
 * {@link DemandMapPolicy} (4 KiB window); C is jvfio-testing's demand-map reference loop, which
 * does the same per fault. Both leave N pages mapped; the memory is unmapped between runs. Timed
 * like {@link IopfBenchmark}: from the call that starts the loop to the last answer.
 */
final class DemandMapRace {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;

    private final MockRig rig;
    private final DmaBuffer memory;
    private final GuestRegion region;
    private final int faults;

    /** Faults on the first {@code faults} pages of {@code memory}, mapped at {@link MockRig#BASE}. */
    DemandMapRace(MockRig rig, DmaBuffer memory, int faults) {
        if ((long) faults * MockRig.PAGE > memory.size()) {
            throw new IllegalArgumentException(faults + " faults on distinct pages need more than " + memory);
        }
        this.rig = rig;
        this.memory = memory;
        this.region = new GuestRegion(MockRig.BASE, memory.address(), memory.size(), EnumSet.of(Access.READ, Access.WRITE));
        this.faults = faults;
    }

    /** One drain: throughput and the read-to-answer latency per group. */
    record Run(double faultsPerSecond, Histogram latency) {
        long p50() {
            return latency.getValueAtPercentile(50);
        }

        long p99() {
            return latency.getValueAtPercentile(99);
        }
    }

    private void fill() throws Exception {
        long delivered = rig.mock.triggerBurst(0, RW, MockRig.BASE, MockRig.PAGE, faults);
        if (delivered != faults) {
            throw new IllegalStateException("the mock delivered " + delivered + " of " + faults + " faults");
        }
    }

    Run runC(int batch) throws Exception {
        fill();
        ByteBuffer samples = CLoopSamples.allocate(faults);
        try (EventFd stop = EventFd.create()) {
            long t0 = System.nanoTime();
            FaultReferenceLoop.DemandMapResult r = FaultReferenceLoop.serveDemandMap(rig.queue, stop, batch, faults, samples,
                    rig.ioas, region);
            long elapsed = System.nanoTime() - t0;
            if (r.answered() != faults || r.pagesMapped() != faults) {
                throw new IllegalStateException("the C loop answered " + r.answered() + " and mapped " + r.pagesMapped()
                        + " pages of " + faults);
            }
            return new Run(faults * 1e9 / elapsed, CLoopSamples.histogram(samples, faults));
        } finally {
            rig.unmapGuest(memory.size());
        }
    }

    Run runJava(int batch) throws Exception {
        DemandMapPolicy policy = DemandMapPolicies.windowed(rig.ioas, region, MockRig.PAGE);
        try {
            Run run = runJava(batch, policy);
            if (policy.pagesMapped() != faults) {
                throw new IllegalStateException("the Java loop's policy mapped " + policy.pagesMapped() + " pages of " + faults);
            }
            return run;
        } finally {
            policy.close();
        }
    }

    /** One drain by the Java loop with {@code policy}, which must answer every fault SUCCESS; the memory is unmapped after. */
    Run runJava(int batch, FaultPolicy policy) throws Exception {
        fill();
        try {
            RunEnd end = new RunEnd(policy, faults);
            try (FaultServiceLoop loop = new FaultServiceLoop(rig.queue, end, batch)) {
                long t0 = System.nanoTime();
                loop.start();
                end.await(loop);
                long elapsed = System.nanoTime() - t0;
                FaultStats.Snapshot s = loop.stats();
                if (s.success() != faults) {
                    throw new IllegalStateException("the Java loop answered " + s + " of " + faults, loop.failure());
                }
                return new Run(faults * 1e9 / elapsed, loop.latencyHistogram());
            }
        } finally {
            rig.unmapGuest(memory.size());
        }
    }
}
