/* MMIO: loads and stores on a device BAR that io.jvfio.vfio.Mmio has mmapped. Not a VFIO ioctl but
 * plain memory access with one rule of its own: each access is a single volatile load or store of
 * exactly the width asked for (never memcpy, which may split or merge accesses), because a device
 * register reacts to the access itself. Natives of io.jvfio.internal.VfioNative. */
#include "jvfio.h"

static jint mmio_read8(JNIEnv *env, jclass cls, jlong a) { return *(volatile uint8_t *)JVFIO_ADDR(a); }
static jint mmio_read16(JNIEnv *env, jclass cls, jlong a) { return *(volatile uint16_t *)JVFIO_ADDR(a); }
static jint mmio_read32(JNIEnv *env, jclass cls, jlong a) { return (jint) * (volatile uint32_t *)JVFIO_ADDR(a); }
static jlong mmio_read64(JNIEnv *env, jclass cls, jlong a) { return (jlong) * (volatile uint64_t *)JVFIO_ADDR(a); }
static void mmio_write8(JNIEnv *env, jclass cls, jlong a, jint v) { *(volatile uint8_t *)JVFIO_ADDR(a) = (uint8_t)v; }
static void mmio_write16(JNIEnv *env, jclass cls, jlong a, jint v) { *(volatile uint16_t *)JVFIO_ADDR(a) = (uint16_t)v; }
static void mmio_write32(JNIEnv *env, jclass cls, jlong a, jint v) { *(volatile uint32_t *)JVFIO_ADDR(a) = (uint32_t)v; }
static void mmio_write64(JNIEnv *env, jclass cls, jlong a, jlong v) { *(volatile uint64_t *)JVFIO_ADDR(a) = (uint64_t)v; }

static const JNINativeMethod methods[] = {
    { "mmioRead8", "(J)I", (void *)mmio_read8 },
    { "mmioRead16", "(J)I", (void *)mmio_read16 },
    { "mmioRead32", "(J)I", (void *)mmio_read32 },
    { "mmioRead64", "(J)J", (void *)mmio_read64 },
    { "mmioWrite8", "(JI)V", (void *)mmio_write8 },
    { "mmioWrite16", "(JI)V", (void *)mmio_write16 },
    { "mmioWrite32", "(JI)V", (void *)mmio_write32 },
    { "mmioWrite64", "(JJ)V", (void *)mmio_write64 },
};

int jvfio_register_mmio(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/VfioNative", methods, JVFIO_ARRAY_SIZE(methods));
}
