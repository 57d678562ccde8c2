package io.jvfio.bench.bindings;

import io.jvfio.internal.NativeLibrary;
import io.jvfio.internal.UnixNative;

/** jvfio's own bridge: natives registered in JNI_OnLoad, primitives and addresses across. */
public class JniBinding extends BindingBenchmark {
    static {
        // The natives exist once JNI_OnLoad has registered them.
        NativeLibrary.ensureAvailability();
    }

    @Override
    protected int noop(int value) {
        return UnixNative.noop(value);
    }

    @Override
    protected long read(int fd, long address, long length) {
        return UnixNative.read(fd, address, (int) length);
    }

    @Override
    protected long write(int fd, long address, long length) {
        return UnixNative.write(fd, address, (int) length);
    }
}
