/* Natives of io.jvfio.internal.IommufdNative. */
#include "jvfio.h"

#include <linux/iommufd.h>
#include <sys/ioctl.h>

static jstring constants(JNIEnv *env, jclass cls)
{
    static const struct jvfio_constant table[] = {
        { "placeholder", 0 },
    };
    return jvfio_constants_string(env, table, JVFIO_ARRAY_SIZE(table));
}

static const JNINativeMethod methods[] = {
    { "constants", "()Ljava/lang/String;", (void *)constants },
};

int jvfio_register_iommufd(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/IommufdNative", methods, JVFIO_ARRAY_SIZE(methods));
}
