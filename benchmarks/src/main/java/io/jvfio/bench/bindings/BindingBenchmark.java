package io.jvfio.bench.bindings;

import io.jvfio.fault.FaultRecords;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The three operations, written once; each binding supplies the three native calls. JMH generates
 * the benchmarks per subclass and each fork runs one binding, so these calls are monomorphic and
 * inline: what differs between the subclasses is the cost of crossing into C.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public abstract class BindingBenchmark {
    protected abstract int noop(int value);

    protected abstract long read(int fd, long address, long length);

    protected abstract long write(int fd, long address, long length);

    /** A call into C that does nothing. */
    @Benchmark
    public int noopCall() {
        return noop(42);
    }

    /** Signal an eventfd and take the count back: two syscalls, 8 bytes each. */
    @Benchmark
    public long eventfdWriteRead(Fixture f) {
        Fixture.expect(write(f.eventFd, f.counterAddress, 8), 8, "write(eventfd)");
        return read(f.eventFd, f.counterAddress, 8);
    }

    /**
     * One fault round trip of 64 records: the kernel end delivers them, the loop reads, groups and
     * answers them in one write, the kernel end takes the responses. Four syscalls and the decoding.
     */
    @Benchmark
    public int faultBatch64(Fixture f) {
        Fixture.expect(write(f.kernel, f.fixtureAddress, FaultBatch.RECORDS_BYTES), FaultBatch.RECORDS_BYTES, "deliver");
        long n = read(f.queue, f.recordsAddress, FaultBatch.RECORDS_BYTES);
        Fixture.expect(n, FaultBatch.RECORDS_BYTES, "read records");
        int length = FaultBatch.answer(f.records, (int) (n / FaultRecords.SIZE), f.responses);
        Fixture.expect(write(f.queue, f.responsesAddress, length), length, "write responses");
        Fixture.expect(read(f.kernel, f.drainedAddress, FaultBatch.MAX_RESPONSES_BYTES), length, "take responses");
        return length;
    }
}
