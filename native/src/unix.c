/* Plain Unix primitives the VFIO objects are built from: file descriptors, mmap, eventfd, memfd,
 * epoll. Natives of io.jvfio.internal.UnixNative. */
#define _GNU_SOURCE
#include "jvfio.h"

#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

static jint abi_version(JNIEnv *env, jclass cls) { return JVFIO_ABI_VERSION; }

static jstring constants(JNIEnv *env, jclass cls)
{
    static const struct jvfio_constant table[] = {
        JVFIO_CONST(O_RDONLY),     JVFIO_CONST(O_WRONLY),       JVFIO_CONST(O_RDWR),        JVFIO_CONST(O_NOFOLLOW),
        JVFIO_CONST(O_CLOEXEC),    JVFIO_CONST(O_NONBLOCK),     JVFIO_CONST(PROT_READ),
        JVFIO_CONST(PROT_WRITE),   JVFIO_CONST(MAP_SHARED),     JVFIO_CONST(MAP_PRIVATE),
        JVFIO_CONST(MAP_ANONYMOUS), JVFIO_CONST(MAP_HUGETLB),   JVFIO_CONST(MAP_POPULATE),
        JVFIO_CONST(MAP_NORESERVE), JVFIO_CONST(EFD_CLOEXEC),   JVFIO_CONST(EFD_NONBLOCK),
        JVFIO_CONST(EFD_SEMAPHORE), JVFIO_CONST(MFD_CLOEXEC),   JVFIO_CONST(MFD_HUGETLB),
        JVFIO_CONST(EPOLLIN),      JVFIO_CONST(EPOLLOUT),       JVFIO_CONST(EPOLLERR),
        JVFIO_CONST(EPOLLHUP),     JVFIO_CONST(POLLIN),         JVFIO_CONST(POLLOUT),
        JVFIO_CONST(POLLERR),      JVFIO_CONST(POLLHUP),        JVFIO_CONST(POLLNVAL),
        JVFIO_CONST(EAGAIN),       JVFIO_CONST(EINTR),          JVFIO_CONST(EINVAL),
        JVFIO_CONST(ENOENT),       JVFIO_CONST(EBUSY),          JVFIO_CONST(EPERM),
        JVFIO_CONST(EACCES),       JVFIO_CONST(ENOTTY),         JVFIO_CONST(ENODEV),
        JVFIO_CONST(ENOMEM),       JVFIO_CONST(ENOSPC),         JVFIO_CONST(EEXIST),
        JVFIO_CONST(EOPNOTSUPP),   JVFIO_CONST(ESPIPE),         JVFIO_CONST(EFAULT),
        JVFIO_CONST(ENXIO),        JVFIO_CONST(EBADF),          JVFIO_CONST(E2BIG),
        JVFIO_CONST(ERANGE),       JVFIO_CONST(EIO),            JVFIO_CONST(ENOSYS),
        JVFIO_CONST(EADDRINUSE),
        { "page_size", 0 },
    };
    struct jvfio_constant copy[JVFIO_ARRAY_SIZE(table)];

    memcpy(copy, table, sizeof(table));
    copy[JVFIO_ARRAY_SIZE(table) - 1].value = sysconf(_SC_PAGESIZE);
    return jvfio_constants_string(env, copy, JVFIO_ARRAY_SIZE(copy));
}

static jint open_file(JNIEnv *env, jclass cls, jstring path, jint flags)
{
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    int fd, err;

    if (!p)
        return -ENOMEM;
    fd = (int)JVFIO_RETRY(open(p, flags | O_CLOEXEC));
    err = errno;
    (*env)->ReleaseStringUTFChars(env, path, p);
    return fd < 0 ? -err : fd;
}

static jint close_fd(JNIEnv *env, jclass cls, jint fd)
{
    /* Never retry close on EINTR: the descriptor is gone either way on Linux. */
    return close(fd) ? -errno : 0;
}

static jlong read_fd(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(read(fd, JVFIO_ADDR(address), (size_t)length)));
}

static jlong write_fd(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(write(fd, JVFIO_ADDR(address), (size_t)length)));
}

static jlong pread_fd(JNIEnv *env, jclass cls, jint fd, jlong address, jint length, jlong offset)
{
    return jvfio_result(JVFIO_RETRY(pread(fd, JVFIO_ADDR(address), (size_t)length, offset)));
}

static jlong pwrite_fd(JNIEnv *env, jclass cls, jint fd, jlong address, jint length, jlong offset)
{
    return jvfio_result(JVFIO_RETRY(pwrite(fd, JVFIO_ADDR(address), (size_t)length, offset)));
}

static jlong mmap_fd(JNIEnv *env, jclass cls, jlong length, jint prot, jint flags, jint fd,
                     jlong offset)
{
    void *p = mmap(NULL, (size_t)length, prot, flags, fd, offset);

    return p == MAP_FAILED ? JVFIO_ERR() : (jlong)(uintptr_t)p;
}

static jint munmap_addr(JNIEnv *env, jclass cls, jlong address, jlong length)
{
    return munmap(JVFIO_ADDR(address), (size_t)length) ? -errno : 0;
}

/* Replaces [address, address + length) with a shared mapping of an empty memfd: the memory that was
 * there is released, the addresses stay taken (no later mmap is placed there), and every access
 * raises SIGBUS (beyond the end of the file), which HotSpot turns into java.lang.InternalError for
 * ByteBuffer and Unsafe accesses instead of a crash. munmap releases the range for good. */
static jint mmap_tombstone(JNIEnv *env, jclass cls, jlong address, jlong length)
{
    int fd = memfd_create("jvfio-closed", MFD_CLOEXEC), err;
    void *p;

    if (fd < 0)
        return -errno;
    p = mmap(JVFIO_ADDR(address), (size_t)length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    err = errno;
    close(fd);
    return p == MAP_FAILED ? -err : 0;
}

static jint eventfd_create(JNIEnv *env, jclass cls, jint initval, jint flags)
{
    int fd = eventfd((unsigned int)initval, flags | EFD_CLOEXEC);

    return fd < 0 ? -errno : fd;
}

/* Returns the counter (>= 1), or -EAGAIN when it is zero on a non-blocking eventfd. */
static jlong eventfd_read_fd(JNIEnv *env, jclass cls, jint fd)
{
    uint64_t value;
    long n = JVFIO_RETRY(read(fd, &value, sizeof(value)));

    if (n != sizeof(value))
        return n < 0 ? JVFIO_ERR() : -EIO; /* a short read sets no errno */
    return (jlong)value;
}

static jint eventfd_write_fd(JNIEnv *env, jclass cls, jint fd, jlong value)
{
    uint64_t v = (uint64_t)value;
    long n = JVFIO_RETRY(write(fd, &v, sizeof(v)));

    if (n != sizeof(v))
        return n < 0 ? -errno : -EIO; /* a short write sets no errno */
    return 0;
}

static jint memfd_create_fd(JNIEnv *env, jclass cls, jstring name, jint flags)
{
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    int fd, err;

    if (!n)
        return -ENOMEM;
    fd = memfd_create(n, (unsigned int)flags | MFD_CLOEXEC);
    err = errno;
    (*env)->ReleaseStringUTFChars(env, name, n);
    return fd < 0 ? -err : fd;
}

static jint ftruncate_fd(JNIEnv *env, jclass cls, jint fd, jlong length)
{
    return JVFIO_RETRY(ftruncate(fd, length)) ? -errno : 0;
}

/* poll() on one descriptor; returns the revents (0 on time-out). */
static jint poll_fd(JNIEnv *env, jclass cls, jint fd, jint events, jint timeout_ms)
{
    struct pollfd p = { .fd = fd, .events = (short)events };
    int r = poll(&p, 1, timeout_ms);

    if (r < 0)
        return -errno;
    return r == 0 ? 0 : p.revents;
}

static jint epoll_create_fd(JNIEnv *env, jclass cls)
{
    int fd = epoll_create1(EPOLL_CLOEXEC);

    return fd < 0 ? -errno : fd;
}

/* Adds fd with the given events; the event's data is the fd itself. */
static jint epoll_add(JNIEnv *env, jclass cls, jint epfd, jint fd, jint events)
{
    struct epoll_event ev = { .events = (uint32_t)events, .data.fd = fd };

    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static jint epoll_remove(JNIEnv *env, jclass cls, jint epfd, jint fd)
{
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL) ? -errno : 0;
}

/* Waits for up to `max` events, storing (fd, events) int pairs at `address`; returns the count,
 * 0 on time-out, -EINTR when a signal interrupted the wait (the caller loops). */
static jint epoll_wait_fd(JNIEnv *env, jclass cls, jint epfd, jlong address, jint max,
                          jint timeout_ms)
{
    struct epoll_event events[64];
    int32_t *out = JVFIO_ADDR(address);
    int n, i;

    if (max > (jint)JVFIO_ARRAY_SIZE(events))
        max = JVFIO_ARRAY_SIZE(events);
    n = epoll_wait(epfd, events, max, timeout_ms);
    if (n < 0)
        return -errno;
    for (i = 0; i < n; i++) {
        out[2 * i] = events[i].data.fd;
        out[2 * i + 1] = (int32_t)events[i].events;
    }
    return n;
}

static jlong memlock_limit(JNIEnv *env, jclass cls)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_MEMLOCK, &r))
        return JVFIO_ERR();
    return r.rlim_cur == RLIM_INFINITY ? INT64_MAX : (jlong)r.rlim_cur;
}

/* A plain ioctl with no argument struct, for probes such as "is this a VFIO fd". */
static jlong ioctl_noarg(JNIEnv *env, jclass cls, jint fd, jlong request, jlong arg)
{
    return jvfio_result(JVFIO_RETRY(ioctl(fd, (unsigned long)request, (unsigned long)arg)));
}

static jobject wrap_address(JNIEnv *env, jclass cls, jlong address, jlong length)
{
    return (*env)->NewDirectByteBuffer(env, JVFIO_ADDR(address), length);
}

static jlong buffer_address(JNIEnv *env, jclass cls, jobject buffer)
{
    return (jlong)(uintptr_t)(*env)->GetDirectBufferAddress(env, buffer);
}

static jint madvise_addr(JNIEnv *env, jclass cls, jlong address, jlong length, jint advice)
{
    return madvise(JVFIO_ADDR(address), (size_t)length, advice) ? -errno : 0;
}

static const JNINativeMethod methods[] = {
    { "abiVersion", "()I", (void *)abi_version },
    { "constants", "()Ljava/lang/String;", (void *)constants },
    { "open", "(Ljava/lang/String;I)I", (void *)open_file },
    { "close", "(I)I", (void *)close_fd },
    { "read", "(IJI)J", (void *)read_fd },
    { "write", "(IJI)J", (void *)write_fd },
    { "pread", "(IJIJ)J", (void *)pread_fd },
    { "pwrite", "(IJIJ)J", (void *)pwrite_fd },
    { "mmap", "(JIIIJ)J", (void *)mmap_fd },
    { "munmap", "(JJ)I", (void *)munmap_addr },
    { "mmapTombstone", "(JJ)I", (void *)mmap_tombstone },
    { "madvise", "(JJI)I", (void *)madvise_addr },
    { "eventfd", "(II)I", (void *)eventfd_create },
    { "eventfdRead", "(I)J", (void *)eventfd_read_fd },
    { "eventfdWrite", "(IJ)I", (void *)eventfd_write_fd },
    { "memfdCreate", "(Ljava/lang/String;I)I", (void *)memfd_create_fd },
    { "ftruncate", "(IJ)I", (void *)ftruncate_fd },
    { "poll", "(III)I", (void *)poll_fd },
    { "epollCreate", "()I", (void *)epoll_create_fd },
    { "epollAdd", "(III)I", (void *)epoll_add },
    { "epollRemove", "(II)I", (void *)epoll_remove },
    { "epollWait", "(IJII)I", (void *)epoll_wait_fd },
    { "memlockLimit", "()J", (void *)memlock_limit },
    { "ioctl", "(IJJ)J", (void *)ioctl_noarg },
    { "wrap", "(JJ)Ljava/nio/ByteBuffer;", (void *)wrap_address },
    { "address", "(Ljava/nio/ByteBuffer;)J", (void *)buffer_address },
};

int jvfio_register_unix(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
