/* Library entry: registers every concern's natives when the JVM loads libjvfio. */
#include "jvfio.h"

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    JNIEnv *env;

    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    if (jvfio_register_unix(env) || jvfio_register_vfio(env) || jvfio_register_iommufd(env) ||
        jvfio_register_fault(env))
        return JNI_ERR;
    return JNI_VERSION_1_8;
}
