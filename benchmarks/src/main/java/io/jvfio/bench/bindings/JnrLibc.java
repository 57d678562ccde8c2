package io.jvfio.bench.bindings;

import jnr.ffi.LibraryLoader;

/** libc and the shim through jnr-ffi. */
public interface JnrLibc {
    JnrLibc C = LibraryLoader.create(JnrLibc.class).load("c");
    Shim SHIM = LibraryLoader.create(Shim.class).load(ShimFile.path().toString());

    int eventfd(int initval, int flags);

    long read(int fd, long buf, long count);

    long write(int fd, long buf, long count);

    int close(int fd);

    /** jvfio_noop from the shim. */
    interface Shim {
        int jvfio_noop(int value);
    }
}
