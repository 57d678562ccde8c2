package io.jvfio.bench;

import io.jvfio.EventFd;
import io.jvfio.fault.FaultGroup;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultRecords;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultResponses;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.testing.FaultReferenceLoop;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Where the single-record fault loop's time goes: the queue round trip of {@link IopfBenchmark}
 * (one record per read, no-op answers) served by stripped-down Java loops that add one piece of
 * {@link FaultServiceLoop} at a time, against the C reference loop, in one boot. A profiler of
 * sorts for a guest under TCG, where perf is not at hand. Each loop runs in the calling thread on a
 * full queue, as the C loop does; median of alternating runs.
 *
 * Usage: IopfAnatomy [OUT_FILE] (system properties: jvfio.bench.faults, .runs)
 */
public final class IopfAnatomy {
    private static final int FAULTS = Integer.getInteger("jvfio.bench.faults", 200_000);
    private static final int RUNS = Integer.getInteger("jvfio.bench.runs", 5);

    /** The pieces, each variant adding one to the one before. */
    private enum Variant {
        TWO_CALLS("Java: FaultQueue.respond, then read (two JNI calls and two locks per fault)"),
        ONE_CALL("Java: Claim.respondAndRead (one JNI call, no lock)"),
        POLICY("+ grouping and a policy call per group, as FaultBatchProcessor does"),
        STATS("+ latency into a SingleWriterRecorder and a volatile publish (FaultStats now publishes by a sequence lock)"),
        LOOP("FaultServiceLoop itself (its own thread)");

        final String label;

        Variant(String label) {
            this.label = label;
        }
    }

    private final MockRig rig;
    private final ByteBuffer records = FaultRecords.allocate(1).buffer();
    private final FaultResponses responses = FaultResponses.allocate(1);
    private final SingleWriterRecorder recorder = new SingleWriterRecorder(TimeUnit.SECONDS.toNanos(60), 3);
    private final FaultPolicy policy = group -> FaultResponse.SUCCESS;
    private volatile long published;
    private long sink;

    private IopfAnatomy(MockRig rig) {
        this.rig = rig;
    }

    public static void main(String[] args) throws Exception {
        StringBuilder out = new StringBuilder();
        try (MockRig rig = new MockRig()) {
            IopfAnatomy a = new IopfAnatomy(rig);
            Variant[] variants = Variant.values();
            double[][] rates = new double[variants.length + 1][RUNS];
            for (int warm = 0; warm < 2; warm++) {
                a.runC();
                for (Variant v : variants) {
                    a.run(v);
                }
            }
            for (int r = 0; r < RUNS; r++) {
                rates[0][r] = a.runC();
                for (Variant v : variants) {
                    rates[v.ordinal() + 1][r] = a.run(v);
                }
            }
            double c = PairedRun.median(rates[0]);
            out.append(String.format("Where the single-record loop's time goes: %,d queued page requests per run, one record per"
                    + " read, answered SUCCESS; median of %d runs (Java %s)%n%n", FAULTS, RUNS, System.getProperty("java.version")));
            out.append("| loop | faults/s | /C | us per fault |\n|---|---|---|---|\n");
            out.append(String.format("| C reference loop | %,.0f | 1.00 | %.2f |%n", c, 1e6 / c));
            for (Variant v : variants) {
                double m = PairedRun.median(rates[v.ordinal() + 1]);
                out.append(String.format("| %s | %,.0f | %.2f | %.2f |%n", v.label, m, m / c, 1e6 / m));
            }
        }
        System.out.println(out);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), out, StandardCharsets.UTF_8);
        }
    }

    private void fill() throws Exception {
        int rw = FaultPermissions.READ | FaultPermissions.WRITE;
        long delivered = rig.mock.triggerBurst(0, rw, MockRig.BASE, MockRig.PAGE, FAULTS);
        if (delivered != FAULTS) {
            throw new IllegalStateException("the mock delivered " + delivered + " of " + FAULTS + " faults");
        }
    }

    private double runC() throws Exception {
        fill();
        ByteBuffer samples = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        try (EventFd stop = EventFd.create()) {
            long t0 = System.nanoTime();
            long answered = FaultReferenceLoop.serve(rig.queue, stop, 1, FAULTS, samples);
            long elapsed = System.nanoTime() - t0;
            if (answered != FAULTS) {
                throw new IllegalStateException("the C loop answered " + answered + " of " + FAULTS);
            }
            return FAULTS * 1e9 / elapsed;
        }
    }

    private double run(Variant v) throws Exception {
        fill();
        if (v == Variant.LOOP) {
            RunEnd end = new RunEnd(policy, FAULTS);
            try (FaultServiceLoop loop = new FaultServiceLoop(rig.queue, end, 1)) {
                long t0 = System.nanoTime();
                loop.start();
                end.await(loop);
                long elapsed = System.nanoTime() - t0;
                if (loop.groupsAnswered() != FAULTS) {
                    throw new IllegalStateException("the loop answered " + loop.stats(), loop.failure());
                }
                return FAULTS * 1e9 / elapsed;
            }
        }
        FaultRecords view = FaultRecords.over(records, 1);
        try (FaultQueue.Claim claim = rig.queue.claim("anatomy " + v)) {
            long t0 = System.nanoTime();
            serve(v, claim, view);
            return FAULTS * 1e9 / (System.nanoTime() - t0);
        }
    }

    private void serve(Variant v, FaultQueue.Claim claim, FaultRecords view) throws Exception {
        FaultQueue queue = rig.queue;
        long answered = 0;
        int n = queue.read(records);
        while (answered < FAULTS) {
            if (n <= 0) {
                n = queue.read(records);
                continue;
            }
            long start = System.nanoTime();
            responses.clear();
            if (v.compareTo(Variant.POLICY) >= 0) {
                view.count(1);
                if (view.endsGroup(0)) {
                    responses.add(view.cookie(0), policy.resolve(FaultGroup.of(view, 0, 1)));
                }
            } else {
                responses.add(records.getInt(FaultRecords.COOKIE), FaultResponse.SUCCESS);
            }
            long done;
            if (v == Variant.TWO_CALLS) {
                if (queue.respond(responses.buffer(), 0, 1) != 1) {
                    throw new IllegalStateException("the kernel refused a response");
                }
                done = System.nanoTime();
                n = queue.read(records);
            } else {
                n = claim.respondAndRead(responses.buffer(), 1, records);
                if (n == FaultQueue.NOT_READ) {
                    throw new IllegalStateException("the kernel refused a response");
                }
                done = claim.respondedAtNanos();
            }
            answered++;
            if (v == Variant.STATS) {
                recorder.recordValueWithCount(Math.max(1, done - start), 1);
                published++;
            } else {
                sink += done - start;
            }
        }
    }
}
