/* JNI helpers every concern uses: the constants table as a string, and method registration. Linked
 * into libjvfio and into the testing library (native/testing), each keeping its own hidden copy. */
#include "jvfio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

jstring jvfio_constants_string(JNIEnv *env, const struct jvfio_constant *table, size_t count)
{
    size_t cap = 64, len = 0, i;
    char *buf;
    jstring s;

    for (i = 0; i < count; i++)
        cap += strlen(table[i].name) + 24;
    buf = malloc(cap);
    if (!buf)
        return NULL;
    for (i = 0; i < count; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s=%lld\n", table[i].name,
                                (long long)table[i].value);
    s = (*env)->NewStringUTF(env, buf);
    free(buf);
    return s;
}

int jvfio_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int count)
{
    jclass cls = (*env)->FindClass(env, class_name);

    if (!cls)
        return JNI_ERR;
    if ((*env)->RegisterNatives(env, cls, methods, count) != 0)
        return JNI_ERR;
    (*env)->DeleteLocalRef(env, cls);
    return JNI_OK;
}
