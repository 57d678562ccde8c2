/* The io.jvfio.internal.UnixNative class as a whole: the ABI version Java checks on load and the
 * class's one constants table. The class's syscalls live in files named for what they wrap
 * (unix_fd.c, unix_memory.c, unix_epoll.c, unix_limits.c); the constants stay here because Java
 * parses one table per class, labelled "unix.c". */
#define _GNU_SOURCE
#include "jvfio.h"

#include <fcntl.h>
#include <linux/memfd.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

static jint abi_version(JNIEnv *env, jclass cls) { return JVFIO_ABI_VERSION; }

static jstring constants(JNIEnv *env, jclass cls)
{
    static const struct jvfio_constant table[] = {
        /* unix_fd.c */
        JVFIO_CONST(O_RDONLY),     JVFIO_CONST(O_WRONLY),       JVFIO_CONST(O_RDWR),        JVFIO_CONST(O_NOFOLLOW),
        JVFIO_CONST(O_CLOEXEC),    JVFIO_CONST(O_NONBLOCK),
        /* unix_memory.c */
        JVFIO_CONST(PROT_READ),    JVFIO_CONST(PROT_WRITE),     JVFIO_CONST(MAP_SHARED),    JVFIO_CONST(MAP_PRIVATE),
        JVFIO_CONST(MAP_ANONYMOUS), JVFIO_CONST(MAP_HUGETLB),   JVFIO_CONST(MAP_POPULATE),
        JVFIO_CONST(MAP_NORESERVE), JVFIO_CONST(MFD_CLOEXEC),   JVFIO_CONST(MFD_HUGETLB),
        JVFIO_CONST(MFD_HUGE_2MB),
        /* unix_epoll.c */
        JVFIO_CONST(EFD_CLOEXEC),  JVFIO_CONST(EFD_NONBLOCK),   JVFIO_CONST(EFD_SEMAPHORE),
        JVFIO_CONST(EPOLLIN),      JVFIO_CONST(EPOLLOUT),       JVFIO_CONST(EPOLLERR),
        JVFIO_CONST(EPOLLHUP),     JVFIO_CONST(POLLIN),         JVFIO_CONST(POLLOUT),
        JVFIO_CONST(POLLERR),      JVFIO_CONST(POLLHUP),        JVFIO_CONST(POLLNVAL),
        /* the errno values Java acts on */
        JVFIO_CONST(EAGAIN),       JVFIO_CONST(EINTR),          JVFIO_CONST(EINVAL),
        JVFIO_CONST(ENOENT),       JVFIO_CONST(EBUSY),          JVFIO_CONST(EPERM),
        JVFIO_CONST(EACCES),       JVFIO_CONST(ENOTTY),         JVFIO_CONST(ENODEV),
        JVFIO_CONST(ENOMEM),       JVFIO_CONST(ENOSPC),         JVFIO_CONST(EEXIST),
        JVFIO_CONST(EOPNOTSUPP),   JVFIO_CONST(ESPIPE),         JVFIO_CONST(EFAULT),
        JVFIO_CONST(ENXIO),        JVFIO_CONST(EBADF),          JVFIO_CONST(E2BIG),
        JVFIO_CONST(ERANGE),       JVFIO_CONST(EIO),            JVFIO_CONST(ENOSYS),
        JVFIO_CONST(EADDRINUSE),   JVFIO_CONST(EPROTO),         JVFIO_CONST(EDEADLK),
        /* Known only at run time: filled in below. */
        { "page_size", 0 },
    };
    struct jvfio_constant copy[JVFIO_ARRAY_SIZE(table)];

    memcpy(copy, table, sizeof(table));
    copy[JVFIO_ARRAY_SIZE(table) - 1].value = sysconf(_SC_PAGESIZE);
    return jvfio_constants_string(env, copy, JVFIO_ARRAY_SIZE(copy));
}

static const JNINativeMethod methods[] = {
    { "abiVersion", "()I", (void *)abi_version },
    { "constants", "()Ljava/lang/String;", (void *)constants },
};

int jvfio_register_unix(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
