package io.jvfio.internal;

/** errno values as the shim was compiled with them, for comparing -errno results. */
public final class Errno {
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
    public static final int EFAULT = UnixConstants.C.getInt("EFAULT");
    public static final int ENXIO = UnixConstants.C.getInt("ENXIO");
    public static final int EBADF = UnixConstants.C.getInt("EBADF");
    public static final int E2BIG = UnixConstants.C.getInt("E2BIG");
    public static final int ERANGE = UnixConstants.C.getInt("ERANGE");
    public static final int EIO = UnixConstants.C.getInt("EIO");
    public static final int ENOSYS = UnixConstants.C.getInt("ENOSYS");
    public static final int EADDRINUSE = UnixConstants.C.getInt("EADDRINUSE");
    public static final int EPROTO = UnixConstants.C.getInt("EPROTO");
    public static final int EDEADLK = UnixConstants.C.getInt("EDEADLK"); // the kernel's EDEADLOCK: the same number on x86_64 and arm64

    private Errno() {}
}
