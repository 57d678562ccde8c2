/* Memory mappings: mmap, munmap, madvise, memfd, the tombstone mapping a closed buffer leaves
 * behind, and direct ByteBuffers over mapped memory. DMA buffers and mapped BARs are made of these.
 * Its own file because a mapping is an object of the address space that outlives the fd it came
 * from. Natives of io.jvfio.internal.UnixNative. */
#define _GNU_SOURCE
#include "jvfio.h"

#include <sys/mman.h>
#include <unistd.h>

static jlong mmap_fd(JNIEnv *env, jclass cls, jlong length, jint prot, jint flags, jint fd,
                     jlong offset)
{
    void *p = mmap(NULL, (size_t)length, prot, flags, fd, offset);

    return p == MAP_FAILED ? JVFIO_ERR() : (jlong)(uintptr_t)p;
}

static jint munmap_addr(JNIEnv *env, jclass cls, jlong address, jlong length)
{
    return (jint)jvfio_result(munmap(JVFIO_ADDR(address), (size_t)length));
}

/* Replaces [address, address + length) with a shared mapping of an empty memfd: the memory that was
 * there is released, the addresses stay taken (no later mmap is placed there), and every access
 * raises SIGBUS (beyond the end of the file), which HotSpot turns into java.lang.InternalError for
 * ByteBuffer and Unsafe accesses instead of a crash. munmap releases the range for good. */
static jint mmap_tombstone(JNIEnv *env, jclass cls, jlong address, jlong length)
{
    int fd = (int)jvfio_result(memfd_create("jvfio-closed", MFD_CLOEXEC));
    void *p;
    jint r;

    if (fd < 0)
        return fd;
    p = mmap(JVFIO_ADDR(address), (size_t)length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
    r = p == MAP_FAILED ? JVFIO_ERR() : 0;
    close(fd);
    return r;
}

static jint madvise_addr(JNIEnv *env, jclass cls, jlong address, jlong length, jint advice)
{
    return (jint)jvfio_result(madvise(JVFIO_ADDR(address), (size_t)length, advice));
}

static jint memfd_create_fd(JNIEnv *env, jclass cls, jstring name, jint flags)
{
    const char *n;
    jint fd;

    if (!name) /* Java checks; a null here would crash the JVM in GetStringUTFChars */
        return -EINVAL;
    n = (*env)->GetStringUTFChars(env, name, NULL);
    if (!n)
        return -ENOMEM;
    fd = (jint)jvfio_result(memfd_create(n, (unsigned int)flags | MFD_CLOEXEC));
    (*env)->ReleaseStringUTFChars(env, name, n);
    return fd;
}

static jobject wrap_address(JNIEnv *env, jclass cls, jlong address, jlong length)
{
    return (*env)->NewDirectByteBuffer(env, JVFIO_ADDR(address), length);
}

static jlong buffer_address(JNIEnv *env, jclass cls, jobject buffer)
{
    return (jlong)(uintptr_t)(*env)->GetDirectBufferAddress(env, buffer);
}

static const JNINativeMethod methods[] = {
    { "mmap", "(JIIIJ)J", (void *)mmap_fd },
    { "munmap", "(JJ)I", (void *)munmap_addr },
    { "mmapTombstone", "(JJ)I", (void *)mmap_tombstone },
    { "madvise", "(JJI)I", (void *)madvise_addr },
    { "memfdCreate", "(Ljava/lang/String;I)I", (void *)memfd_create_fd },
    { "wrap", "(JJ)Ljava/nio/ByteBuffer;", (void *)wrap_address },
    { "address", "(Ljava/nio/ByteBuffer;)J", (void *)buffer_address },
};

int jvfio_register_unix_memory(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
