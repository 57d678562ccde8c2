package io.jvfio.internal;

/** Constants of native/src/unix.c (open flags, mmap, eventfd, epoll, the page size). */
public final class UnixConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("unix.c", UnixNative.constants());

    public static final int O_RDONLY = C.getInt("O_RDONLY");
    public static final int O_WRONLY = C.getInt("O_WRONLY");
    public static final int O_RDWR = C.getInt("O_RDWR");
    public static final int O_NONBLOCK = C.getInt("O_NONBLOCK");
    public static final int O_NOFOLLOW = C.getInt("O_NOFOLLOW");
    public static final int PROT_READ = C.getInt("PROT_READ");
    public static final int PROT_WRITE = C.getInt("PROT_WRITE");
    public static final int MAP_SHARED = C.getInt("MAP_SHARED");
    public static final int MAP_PRIVATE = C.getInt("MAP_PRIVATE");
    public static final int MAP_ANONYMOUS = C.getInt("MAP_ANONYMOUS");
    public static final int MAP_HUGETLB = C.getInt("MAP_HUGETLB");
    public static final int MAP_POPULATE = C.getInt("MAP_POPULATE");
    public static final int MAP_NORESERVE = C.getInt("MAP_NORESERVE");
    public static final int EFD_NONBLOCK = C.getInt("EFD_NONBLOCK");
    public static final int EFD_SEMAPHORE = C.getInt("EFD_SEMAPHORE");
    public static final int MFD_HUGETLB = C.getInt("MFD_HUGETLB");
    /** With MFD_HUGETLB: 2 MiB pages, whatever the system's default huge page size (1 GiB on some hosts). */
    public static final int MFD_HUGE_2MB = C.getInt("MFD_HUGE_2MB");
    public static final int EPOLLIN = C.getInt("EPOLLIN");
    public static final int EPOLLOUT = C.getInt("EPOLLOUT");
    public static final int EPOLLERR = C.getInt("EPOLLERR");
    public static final int EPOLLHUP = C.getInt("EPOLLHUP");
    public static final int POLLIN = C.getInt("POLLIN");
    public static final int POLLOUT = C.getInt("POLLOUT");
    public static final int EAGAIN = C.getInt("EAGAIN");
    public static final int EINTR = C.getInt("EINTR");
    public static final int PAGE_SIZE = C.getInt("page_size");

    private UnixConstants() {}
}
