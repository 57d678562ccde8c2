/* C reference loops for the DMA-mapping benchmark: map and unmap one range `iterations` times through
 * the legacy container (VFIO_IOMMU_MAP_DMA / UNMAP_DMA) or an iommufd IOAS (IOMMU_IOAS_MAP with a
 * fixed IOVA / IOMMU_IOAS_UNMAP), the same ioctls the Java API issues, so the benchmark can set one
 * against the other. Natives of io.jvfio.testing.DmaLoopNative. */
#define _GNU_SOURCE
#include "testing.h"

#include <linux/iommufd.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>

/* Returns the elapsed nanoseconds, or -errno from the first failing ioctl. */
static jlong container_loop(JNIEnv *env, jclass cls, jint container, jlong vaddr, jlong iova, jlong size,
                            jint iterations)
{
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
        .vaddr = (uint64_t)vaddr, .iova = (uint64_t)iova, .size = (uint64_t)size,
    };
    struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .iova = (uint64_t)iova, .size = (uint64_t)size };
    int64_t start = jvfio_now_ns();
    jint i;

    for (i = 0; i < iterations; i++) {
        if (ioctl(container, VFIO_IOMMU_MAP_DMA, &map) || ioctl(container, VFIO_IOMMU_UNMAP_DMA, &unmap))
            return JVFIO_ERR();
    }
    return jvfio_now_ns() - start;
}

static jlong ioas_loop(JNIEnv *env, jclass cls, jint iommufd, jint ioas, jlong vaddr, jlong iova, jlong size,
                       jint iterations)
{
    struct iommu_ioas_map map = {
        .size = sizeof(map), .ioas_id = (uint32_t)ioas,
        .flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
        .user_va = (uint64_t)vaddr, .length = (uint64_t)size, .iova = (uint64_t)iova,
    };
    struct iommu_ioas_unmap unmap = { .size = sizeof(unmap), .ioas_id = (uint32_t)ioas, .iova = (uint64_t)iova,
                                      .length = (uint64_t)size };
    int64_t start = jvfio_now_ns();
    jint i;

    for (i = 0; i < iterations; i++) {
        if (ioctl(iommufd, IOMMU_IOAS_MAP, &map) || ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap))
            return JVFIO_ERR();
    }
    return jvfio_now_ns() - start;
}

static const JNINativeMethod methods[] = {
    { "containerLoop", "(IJJJI)J", (void *)container_loop },
    { "ioasLoop", "(IIJJJI)J", (void *)ioas_loop },
};

int jvfio_register_dma_loop(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/testing/DmaLoopNative", methods, JVFIO_ARRAY_SIZE(methods));
}
