package io.jvfio.bench.bindings;

/** jnr-ffi: an interface bound at run time to generated stubs, addresses passed as longs. */
public class JnrBinding extends BindingBenchmark {
    @Override
    protected int noop(int value) {
        return JnrLibc.SHIM.jvfio_noop(value);
    }

    @Override
    protected long read(int fd, long address, long length) {
        return JnrLibc.C.read(fd, address, length);
    }

    @Override
    protected long write(int fd, long address, long length) {
        return JnrLibc.C.write(fd, address, length);
    }
}
