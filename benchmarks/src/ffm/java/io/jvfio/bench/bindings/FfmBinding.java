package io.jvfio.bench.bindings;

/** The JDK's Foreign Function and Memory API (Java 22+): plain downcalls ({@link FfmCalls}). */
public class FfmBinding extends BindingBenchmark {
    private static final FfmCalls CALLS = FfmCalls.link();

    @Override
    protected int noop(int value) {
        return CALLS.callNoop(value);
    }

    @Override
    protected long read(int fd, long address, long length) {
        return CALLS.callRead(fd, address, length);
    }

    @Override
    protected long write(int fd, long address, long length) {
        return CALLS.callWrite(fd, address, length);
    }
}
