/* errno as words: the name (EINVAL) and the description (Invalid argument) of an errno value, for
 * the messages of io.jvfio.internal.Errno. Its own file because it wraps no kernel object, only
 * glibc's error tables. Natives of io.jvfio.internal.UnixNative. */
#define _GNU_SOURCE
#include "jvfio.h"

#include <string.h>

static jstring error_name(JNIEnv *env, jclass cls, jint err)
{
    const char *name = strerrorname_np(err);

    return name ? (*env)->NewStringUTF(env, name) : NULL;
}

static jstring error_text(JNIEnv *env, jclass cls, jint err)
{
    const char *text = strerrordesc_np(err);

    return (*env)->NewStringUTF(env, text ? text : "Unknown error");
}

static const JNINativeMethod methods[] = {
    { "errorName", "(I)Ljava/lang/String;", (void *)error_name },
    { "errorText", "(I)Ljava/lang/String;", (void *)error_text },
};

int jvfio_register_unix_errors(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/UnixNative", methods, JVFIO_ARRAY_SIZE(methods));
}
