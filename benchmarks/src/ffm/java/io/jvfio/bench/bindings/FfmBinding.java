package io.jvfio.bench.bindings;

/**
 * The JDK's Foreign Function and Memory API (Java 22+): plain downcalls ({@link FfmCalls}). A
 * subclass measures other link options by returning its own calls from {@link #calls()}: JMH runs
 * each benchmark class in a fork of its own, so the call stays monomorphic and its handles constant.
 */
public class FfmBinding extends BindingBenchmark {
    private static final FfmCalls CALLS = FfmCalls.link();

    /** The linked downcalls: a static final of the concrete class, so the JIT sees constant handles. */
    protected FfmCalls calls() {
        return CALLS;
    }

    @Override
    protected int noop(int value) {
        return calls().callNoop(value);
    }

    @Override
    protected long read(int fd, long address, long length) {
        return calls().callRead(fd, address, length);
    }

    @Override
    protected long write(int fd, long address, long length) {
        return calls().callWrite(fd, address, length);
    }
}
