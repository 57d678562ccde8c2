/* Process resource limits: RLIMIT_MEMLOCK, which caps how much DMA memory the IOMMU may pin and
 * which the ENOMEM hint in io.jvfio.internal.Errors quotes. Its own file because rlimits are a
 * property of the process, not of any descriptor or mapping. Natives of
 * io.jvfio.internal.UnixNative. */
#include "jvfio.h"

#include <sys/resource.h>

static jlong memlock_limit(JNIEnv *env, jclass cls)
{
    struct rlimit r;

    if (getrlimit(RLIMIT_MEMLOCK, &r))
        return JVFIO_ERR();
    return r.rlim_cur == RLIM_INFINITY ? INT64_MAX : (jlong)r.rlim_cur;
}

static const JNINativeMethod methods[] = {
    { "memlockLimit", "()J", (void *)memlock_limit },
};

int jvfio_register_unix_limits(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
