/* Library entry: JNI_OnLoad registers every file's natives, and the two helpers all files use. A Java
 * natives class may be registered from several files (UnixNative from unix*.c, VfioNative from
 * vfio.c and mmio.c): RegisterNatives adds to what a class already has, so each table stays beside
 * the functions it names and a new native touches one file. */
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

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    JNIEnv *env;

    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    if (jvfio_register_unix(env) || jvfio_register_unix_errors(env) || jvfio_register_unix_fd(env) ||
        jvfio_register_unix_memory(env) || jvfio_register_unix_epoll(env) || jvfio_register_unix_limits(env) ||
        jvfio_register_vfio(env) || jvfio_register_mmio(env) || jvfio_register_iommufd(env) ||
        jvfio_register_fault(env) || jvfio_register_iommufd_mock(env) || jvfio_register_dma_loop(env))
        return JNI_ERR;
    return JNI_VERSION_1_8;
}
