/* The kernel's iommufd selftest mock (CONFIG_IOMMUFD_TEST): a mock device and domain whose
 * IOMMU_TEST_OP_TRIGGER_IOPF delivers real page faults through a real fault queue. No emulated PCI
 * device issues PCIe page requests, so this is how jvfio's fault handler is tested and measured.
 * Natives of io.jvfio.testing.IommufdMockNative; iommufd_test.h is the kernel tree's own. */
#include "testing.h"

#include <iommufd_test.h>
#include <sys/ioctl.h>

/* The selftest's constants and HWPT data layout, one native each as netty does: the constants-table
 * parser is internal to the library. */
static jint hwpt_data_selftest(JNIEnv *env, jclass cls) { return IOMMU_HWPT_DATA_SELFTEST; }
static jint iotlb_default(JNIEnv *env, jclass cls) { return IOMMU_TEST_IOTLB_DEFAULT; }
static jlong aperture_start(JNIEnv *env, jclass cls) { return MOCK_APERTURE_START; }
static jlong aperture_last(JNIEnv *env, jclass cls) { return MOCK_APERTURE_LAST; }
static jint offsetof_hwpt_selftest_iotlb(JNIEnv *env, jclass cls) { return offsetof(struct iommu_hwpt_selftest, iotlb); }

/* Creates a mock device attached to `ioas`; stores stdev_id, hwpt_id, idev_id as 3 ints at `out`. */
static jint mock_domain(JNIEnv *env, jclass cls, jint fd, jint ioas, jlong out)
{
    struct iommu_test_cmd cmd = { .size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN, .id = (uint32_t)ioas };
    uint32_t *o = JVFIO_ADDR(out);

    if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
        return -errno;
    o[0] = cmd.mock_domain.out_stdev_id;
    o[1] = cmd.mock_domain.out_hwpt_id;
    o[2] = cmd.mock_domain.out_idev_id;
    return 0;
}

static jint mock_domain_replace(JNIEnv *env, jclass cls, jint fd, jint stdev, jint pt)
{
    struct iommu_test_cmd cmd = {
        .size = sizeof(cmd), .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, .id = (uint32_t)stdev,
        .mock_domain_replace = { .pt_id = (uint32_t)pt },
    };
    return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : (jint)cmd.mock_domain_replace.pt_id;
}

static int trigger(int fd, uint32_t dev, uint32_t pasid, uint32_t grpid, uint32_t perm, uint64_t addr)
{
    struct iommu_test_cmd cmd = {
        .size = sizeof(cmd), .op = IOMMU_TEST_OP_TRIGGER_IOPF,
        .trigger_iopf = { .dev_id = dev, .pasid = pasid, .grpid = grpid, .perm = perm, .addr = addr },
    };
    return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

static jint trigger_iopf(JNIEnv *env, jclass cls, jint fd, jint dev, jint pasid, jint grpid, jint perm,
                         jlong addr)
{
    return trigger(fd, (uint32_t)dev, (uint32_t)pasid, (uint32_t)grpid, (uint32_t)perm, (uint64_t)addr);
}

/* Fires `count` faults at addr, addr + stride, ... (grpid counts up from `grpid`); returns how many
 * were delivered, or -errno when the first one failed. */
static jlong trigger_burst(JNIEnv *env, jclass cls, jint fd, jint dev, jint pasid, jint grpid, jint perm,
                           jlong addr, jlong stride, jlong count)
{
    jlong i;

    for (i = 0; i < count; i++) {
        int r = trigger(fd, (uint32_t)dev, (uint32_t)pasid, (uint32_t)(grpid + i) & 0x1ff, (uint32_t)perm,
                        (uint64_t)(addr + i * stride));
        if (r)
            return i ? i : r;
    }
    return count;
}

static jint check_map(JNIEnv *env, jclass cls, jint fd, jint hwpt, jlong iova, jlong length, jlong uptr)
{
    struct iommu_test_cmd cmd = {
        .size = sizeof(cmd), .op = IOMMU_TEST_OP_MD_CHECK_MAP, .id = (uint32_t)hwpt,
        .check_map = { .iova = (uint64_t)iova, .length = (uint64_t)length, .uptr = (uint64_t)uptr },
    };
    return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

/* Sets the dirty bit of the mock domain's IOMMU page holding `iova`, as a DMA write there would;
 * `page_size` is the unit the selftest walks in. Returns the pages marked (1), or -errno. */
static jint mark_dirty(JNIEnv *env, jclass cls, jint fd, jint hwpt, jlong iova, jlong page_size)
{
    uint64_t one = 1;
    struct iommu_test_cmd cmd = {
        .size = sizeof(cmd), .op = IOMMU_TEST_OP_DIRTY, .id = (uint32_t)hwpt,
        .dirty = { .iova = (uint64_t)iova, .length = (uint64_t)page_size, .page_size = (uint64_t)page_size,
                   .uptr = (uint64_t)(uintptr_t)&one },
    };
    return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : (jint)cmd.dirty.out_nr_dirty;
}

/* IOMMU_DESTROY of the mock device (a selftest object the product's API does not name). */
static jint destroy_object(JNIEnv *env, jclass cls, jint fd, jint id)
{
    struct iommu_destroy cmd = { .size = sizeof(cmd), .id = (uint32_t)id };

    return ioctl(fd, IOMMU_DESTROY, &cmd) ? -errno : 0;
}

static const JNINativeMethod methods[] = {
    { "hwptDataSelftest", "()I", (void *)hwpt_data_selftest },
    { "iotlbDefault", "()I", (void *)iotlb_default },
    { "apertureStart", "()J", (void *)aperture_start },
    { "apertureLast", "()J", (void *)aperture_last },
    { "offsetofHwptSelftestIotlb", "()I", (void *)offsetof_hwpt_selftest_iotlb },
    { "mockDomain", "(IIJ)I", (void *)mock_domain },
    { "mockDomainReplace", "(III)I", (void *)mock_domain_replace },
    { "triggerIopf", "(IIIIIJ)I", (void *)trigger_iopf },
    { "triggerBurst", "(IIIIIJJJ)J", (void *)trigger_burst },
    { "checkMap", "(IIJJJ)I", (void *)check_map },
    { "markDirty", "(IIJJ)I", (void *)mark_dirty },
    { "destroy", "(II)I", (void *)destroy_object },
};

int jvfio_register_iommufd_mock(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/testing/IommufdMockNative", methods, JVFIO_ARRAY_SIZE(methods));
}
