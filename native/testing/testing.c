/* Testing library entry: registers the natives of io.jvfio.testing when the JVM loads it. */
#include "testing.h"

static jint abi_version(JNIEnv *env, jclass cls) { return JVFIO_TESTING_ABI_VERSION; }

static const JNINativeMethod methods[] = {
    { "abiVersion", "()I", (void *)abi_version },
};

JNIEXPORT jint JNI_OnLoad(JavaVM *vm, void *reserved)
{
    JNIEnv *env;

    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_8) != JNI_OK)
        return JNI_ERR;
    if (jvfio_register(env, "io/jvfio/testing/TestingLibrary", methods, JVFIO_ARRAY_SIZE(methods)) ||
        jvfio_register_iommufd_mock(env) || jvfio_register_dma_loop(env) ||
        jvfio_register_fault_reference_loop(env) || jvfio_register_raw_io(env) ||
        jvfio_register_thread_signals(env))
        return JNI_ERR;
    return JNI_VERSION_1_8;
}
