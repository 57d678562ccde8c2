package io.jvfio.bench.bindings;

import io.jvfio.testing.RawIo;

/** jvfio's way across: natives registered in JNI_OnLoad, primitives and addresses, as its shim calls them. */
public class JniBinding extends BindingBenchmark {
    @Override
    protected int noop(int value) {
        return RawIo.noop(value);
    }

    @Override
    protected long read(int fd, long address, long length) {
        return RawIo.read(fd, address, (int) length);
    }

    @Override
    protected long write(int fd, long address, long length) {
        return RawIo.write(fd, address, (int) length);
    }
}
