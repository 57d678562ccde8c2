package io.jvfio.bench.bindings;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.testing.RawIo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What every binding's benchmarks share, set up outside the measurement: an eventfd, a SEQPACKET
 * socket pair standing in for the fault fd (the "kernel" end writes records and reads responses),
 * the record fixture and native buffers. Non-blocking, so a broken run fails instead of hanging.
 */
@State(Scope.Thread)
public class Fixture {
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_NONBLOCK = 04000;

    private EventFd eventFdHandle;
    public int eventFd;
    /** The fault queue's end: the loop reads records from it and writes responses to it. */
    public int queue;
    /** The kernel's end: delivers the records, takes the responses. */
    public int kernel;
    public ByteBuffer fixture;
    public ByteBuffer records;
    public ByteBuffer responses;
    public ByteBuffer drained;
    public ByteBuffer counter;
    public long fixtureAddress;
    public long recordsAddress;
    public long responsesAddress;
    public long drainedAddress;
    public long counterAddress;

    @Setup(Level.Trial)
    public void open() throws VfioException {
        eventFdHandle = EventFd.create();
        eventFd = eventFdHandle.fd();
        int[] pair = new int[2];
        if (JnaLibc.socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, pair) != 0) {
            throw new IllegalStateException("socketpair failed");
        }
        queue = pair[0];
        kernel = pair[1];
        fixture = direct(FaultBatch.RECORDS_BYTES).put(FaultBatch.records()).clear();
        records = direct(FaultBatch.RECORDS_BYTES);
        responses = direct(FaultBatch.MAX_RESPONSES_BYTES);
        drained = direct(FaultBatch.MAX_RESPONSES_BYTES);
        counter = direct(8).putLong(0, 1);
        fixtureAddress = RawIo.address(fixture);
        recordsAddress = RawIo.address(records);
        responsesAddress = RawIo.address(responses);
        drainedAddress = RawIo.address(drained);
        counterAddress = RawIo.address(counter);
    }

    @TearDown(Level.Trial)
    public void close() throws VfioException {
        eventFdHandle.close();
        JnaLibc.close(queue);
        JnaLibc.close(kernel);
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Fails the run when a call moved fewer bytes than it should have. */
    public static void expect(long got, long wanted, String what) {
        if (got != wanted) {
            throw new IllegalStateException(what + " returned " + got + ", expected " + wanted);
        }
    }
}
