package io.jvfio.bench.bindings;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/** libc and the shim through JNA direct mapping (static natives bound by Native.register). */
public final class JnaLibc {
    static {
        Native.register(JnaLibc.class, NativeLibrary.getInstance("c"));
    }

    private JnaLibc() {}

    public static native int eventfd(int initval, int flags);

    public static native long read(int fd, long buf, long count);

    public static native long write(int fd, long buf, long count);

    public static native int socketpair(int domain, int type, int protocol, int[] fds);

    public static native int close(int fd);

    /** jvfio_noop from the shim. */
    public static final class Shim {
        static {
            Native.register(Shim.class, NativeLibrary.getInstance(ShimFile.path().toString()));
        }

        private Shim() {}

        public static native int jvfio_noop(int value);
    }
}
