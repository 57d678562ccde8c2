package io.jvfio.internal;

import java.util.concurrent.ConcurrentHashMap;

/** errno names and texts from the C library, cached: messages are built on error paths only. */
public final class Errno {
    private static final ConcurrentHashMap<Integer, String> NAMES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, String> TEXTS = new ConcurrentHashMap<>();

    public static final int EAGAIN = UnixConstants.EAGAIN;
    public static final int EINTR = UnixConstants.EINTR;
    public static final int EINVAL = UnixConstants.C.getInt("EINVAL");
    public static final int ENOENT = UnixConstants.C.getInt("ENOENT");
    public static final int EBUSY = UnixConstants.C.getInt("EBUSY");
    public static final int EPERM = UnixConstants.C.getInt("EPERM");
    public static final int EACCES = UnixConstants.C.getInt("EACCES");
    public static final int ENOTTY = UnixConstants.C.getInt("ENOTTY");
    public static final int ENODEV = UnixConstants.C.getInt("ENODEV");
    public static final int ENOMEM = UnixConstants.C.getInt("ENOMEM");
    public static final int ENOSPC = UnixConstants.C.getInt("ENOSPC");
    public static final int EEXIST = UnixConstants.C.getInt("EEXIST");
    public static final int EOPNOTSUPP = UnixConstants.C.getInt("EOPNOTSUPP");
    public static final int ESPIPE = UnixConstants.C.getInt("ESPIPE");
    public static final int EFAULT = UnixConstants.C.getInt("EFAULT");
    public static final int ENXIO = UnixConstants.C.getInt("ENXIO");
    public static final int EBADF = UnixConstants.C.getInt("EBADF");
    public static final int E2BIG = UnixConstants.C.getInt("E2BIG");
    public static final int ERANGE = UnixConstants.C.getInt("ERANGE");
    public static final int EIO = UnixConstants.C.getInt("EIO");
    public static final int ENOSYS = UnixConstants.C.getInt("ENOSYS");
    public static final int EADDRINUSE = UnixConstants.C.getInt("EADDRINUSE");

    private Errno() {}

    /** e.g. "EINVAL"; "errno N" when the C library has no name for it. */
    public static String name(int errno) {
        return NAMES.computeIfAbsent(errno, e -> {
            String n = UnixNative.errorName(e);
            return n != null ? n : "errno " + e;
        });
    }

    /** e.g. "Invalid argument". */
    public static String text(int errno) {
        return TEXTS.computeIfAbsent(errno, UnixNative::errorText);
    }

    /** e.g. "EINVAL (Invalid argument)". */
    public static String describe(int errno) {
        return name(errno) + " (" + text(errno) + ")";
    }
}
