/* Library entry: JNI_OnLoad registers every file's natives (the helpers they share are in
 * jni_util.c). A Java natives class may be registered from several files (UnixNative from unix*.c,
 * VfioNative from vfio.c and mmio.c): RegisterNatives adds to what a class already has, so each
 * table stays beside the functions it names and a new native touches one file. */
#include "jvfio.h"

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    JNIEnv *env;

    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    if (jvfio_register_unix(env) || jvfio_register_unix_fd(env) || jvfio_register_unix_memory(env) ||
        jvfio_register_unix_epoll(env) || jvfio_register_unix_limits(env) || jvfio_register_vfio(env) ||
        jvfio_register_mmio(env) || jvfio_register_iommufd(env) || jvfio_register_fault(env))
        return JNI_ERR;
    return JNI_VERSION_1_8;
}
