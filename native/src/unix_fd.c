/* File descriptors and the bytes through them: open, close, read, write, pread, pwrite, ftruncate,
 * and a bare ioctl for probes. Every VFIO and iommufd object is such an fd; the ioctls that make
 * each one what it is are in vfio.c and iommufd.c, so this file holds only what any fd does.
 * Natives of io.jvfio.internal.UnixNative. */
#include "jvfio.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

static jint open_file(JNIEnv *env, jclass cls, jstring path, jint flags)
{
    const char *p;
    jint fd;

    if (!path) /* Java checks; a null here would crash the JVM in GetStringUTFChars */
        return -EINVAL;
    p = (*env)->GetStringUTFChars(env, path, NULL);
    if (!p)
        return -ENOMEM;
    fd = (jint)jvfio_result(JVFIO_RETRY(open(p, flags | O_CLOEXEC)));
    (*env)->ReleaseStringUTFChars(env, path, p);
    return fd;
}

static jint close_fd(JNIEnv *env, jclass cls, jint fd)
{
    /* Never retry close on EINTR: the descriptor is gone either way on Linux. */
    return (jint)jvfio_result(close(fd));
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

static jint ftruncate_fd(JNIEnv *env, jclass cls, jint fd, jlong length)
{
    return (jint)jvfio_result(JVFIO_RETRY(ftruncate(fd, length)));
}

/* A plain ioctl with no argument struct, for probes such as "is this a VFIO fd". */
static jlong ioctl_noarg(JNIEnv *env, jclass cls, jint fd, jlong request, jlong arg)
{
    return jvfio_result(JVFIO_RETRY(ioctl(fd, (unsigned long)request, (unsigned long)arg)));
}

static const JNINativeMethod methods[] = {
    { "open", "(Ljava/lang/String;I)I", (void *)open_file },
    { "close", "(I)I", (void *)close_fd },
    { "read", "(IJI)J", (void *)read_fd },
    { "write", "(IJI)J", (void *)write_fd },
    { "pread", "(IJIJ)J", (void *)pread_fd },
    { "pwrite", "(IJIJ)J", (void *)pwrite_fd },
    { "ftruncate", "(IJ)I", (void *)ftruncate_fd },
    { "ioctl", "(IJJ)J", (void *)ioctl_noarg },
};

int jvfio_register_unix_fd(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
