/* read(2) and write(2) on a raw descriptor, called the way the product shim calls them, and a no-op:
 * for the binding benchmark (what crossing into C costs through JNI, JNA, jnr-ffi and the FFM API)
 * and for tests that hand the kernel I/O the library never issues. Natives of
 * io.jvfio.testing.RawIoNative. */
#include "testing.h"

#include <unistd.h>

/* Does nothing: the bare JNI transition. */
static jint noop(JNIEnv *env, jclass cls, jint value) { return value; }

/* The same nothing as a plain C symbol: JNA, jnr-ffi and the FFM API call it by name where JNI
 * calls the registered noop above. */
__attribute__((visibility("default"))) int jvfio_noop(int value);
int jvfio_noop(int value) { return value; }

static jlong read_fd(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(read(fd, JVFIO_ADDR(address), (size_t)length)));
}

static jlong write_fd(JNIEnv *env, jclass cls, jint fd, jlong address, jint length)
{
    return jvfio_result(JVFIO_RETRY(write(fd, JVFIO_ADDR(address), (size_t)length)));
}

static jlong buffer_address(JNIEnv *env, jclass cls, jobject buffer)
{
    return (jlong)(uintptr_t)(*env)->GetDirectBufferAddress(env, buffer);
}

static const JNINativeMethod methods[] = {
    { "noop", "(I)I", (void *)noop },
    { "read", "(IJI)J", (void *)read_fd },
    { "write", "(IJI)J", (void *)write_fd },
    { "address", "(Ljava/nio/ByteBuffer;)J", (void *)buffer_address },
};

int jvfio_register_raw_io(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/testing/RawIoNative", methods, JVFIO_ARRAY_SIZE(methods));
}
