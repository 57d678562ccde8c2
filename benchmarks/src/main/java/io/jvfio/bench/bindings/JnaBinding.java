package io.jvfio.bench.bindings;

/** JNA direct mapping: static natives bound by Native.register, addresses passed as longs. */
public class JnaBinding extends BindingBenchmark {
    @Override
    protected int noop(int value) {
        return JnaLibc.Shim.jvfio_noop(value);
    }

    @Override
    protected long read(int fd, long address, long length) {
        return JnaLibc.read(fd, address, length);
    }

    @Override
    protected long write(int fd, long address, long length) {
        return JnaLibc.write(fd, address, length);
    }
}
