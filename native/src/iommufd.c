/* The iommufd ioctls on /dev/iommu: IOAS, HW page tables, options, HW info, destroy. One file per
 * kernel interface: the VFIO ioctls are in vfio.c, and fault queues, which have their own fd and
 * I/O, in fault.c. Natives of io.jvfio.internal.IommufdNative.
 * Compiled against the newest UAPI headers: an ioctl the running kernel lacks (IOMMU_IOAS_MAP_FILE
 * before 6.13) fails with its own errno, which Java turns into a refusal naming the version. */
#include "jvfio.h"

#include <linux/iommufd.h>
#include <string.h>
#include <sys/ioctl.h>

static jstring constants(JNIEnv *env, jclass cls)
{
    static const struct jvfio_constant table[] = {
        JVFIO_CONST(IOMMU_DESTROY),
        JVFIO_CONST(IOMMU_IOAS_ALLOC),
        JVFIO_CONST(IOMMU_IOAS_ALLOW_IOVAS),
        JVFIO_CONST(IOMMU_IOAS_COPY),
        JVFIO_CONST(IOMMU_IOAS_IOVA_RANGES),
        JVFIO_CONST(IOMMU_IOAS_MAP),
        JVFIO_CONST(IOMMU_IOAS_MAP_FILE),
        JVFIO_CONST(IOMMU_IOAS_UNMAP),
        JVFIO_CONST(IOMMU_OPTION),
        JVFIO_CONST(IOMMU_VFIO_IOAS),
        JVFIO_CONST(IOMMU_HWPT_ALLOC),
        JVFIO_CONST(IOMMU_GET_HW_INFO),
        JVFIO_CONST(IOMMU_HWPT_SET_DIRTY_TRACKING),
        JVFIO_CONST(IOMMU_HWPT_GET_DIRTY_BITMAP),
        JVFIO_CONST(IOMMU_HWPT_DIRTY_TRACKING_ENABLE),
        JVFIO_CONST(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR),
        JVFIO_CONST(IOMMU_IOAS_MAP_FIXED_IOVA),
        JVFIO_CONST(IOMMU_IOAS_MAP_WRITEABLE),
        JVFIO_CONST(IOMMU_IOAS_MAP_READABLE),
        JVFIO_CONST(IOMMU_OPTION_RLIMIT_MODE),
        JVFIO_CONST(IOMMU_OPTION_HUGE_PAGES),
        JVFIO_CONST(IOMMU_OPTION_OP_SET),
        JVFIO_CONST(IOMMU_OPTION_OP_GET),
        JVFIO_CONST(IOMMU_VFIO_IOAS_GET),
        JVFIO_CONST(IOMMU_VFIO_IOAS_SET),
        JVFIO_CONST(IOMMU_VFIO_IOAS_CLEAR),
        JVFIO_CONST(IOMMU_HWPT_ALLOC_NEST_PARENT),
        JVFIO_CONST(IOMMU_HWPT_ALLOC_DIRTY_TRACKING),
        JVFIO_CONST(IOMMU_HWPT_FAULT_ID_VALID),
        JVFIO_CONST(IOMMU_HWPT_ALLOC_PASID),
        JVFIO_CONST(IOMMU_HWPT_DATA_NONE),
        JVFIO_CONST(IOMMU_HWPT_DATA_VTD_S1),
        JVFIO_CONST(IOMMU_HW_INFO_TYPE_NONE),
        JVFIO_CONST(IOMMU_HW_INFO_TYPE_INTEL_VTD),
        JVFIO_CONST(IOMMU_HW_CAP_DIRTY_TRACKING),
        JVFIO_CONST(IOMMU_HW_CAP_PCI_PASID_EXEC),
        JVFIO_CONST(IOMMU_HW_CAP_PCI_PASID_PRIV),
        JVFIO_SIZEOF(iommu_ioas_map_file),
        JVFIO_SIZEOF(iommu_iova_range),
        JVFIO_OFFSETOF(iommu_iova_range, start),
        JVFIO_OFFSETOF(iommu_iova_range, last),
        JVFIO_SIZEOF(iommu_hw_info_vtd),
        JVFIO_OFFSETOF(iommu_hw_info_vtd, flags),
        JVFIO_OFFSETOF(iommu_hw_info_vtd, cap_reg),
        JVFIO_OFFSETOF(iommu_hw_info_vtd, ecap_reg),
        /* Out-struct of getHwInfo(): type, max PASID log2, capabilities, data length. */
        { "hw_info_out.type", 0 },
        { "hw_info_out.max_pasid_log2", 4 },
        { "hw_info_out.data_len", 8 },
        { "hw_info_out.capabilities", 16 },
        { "sizeof hw_info_out", 24 },
    };
    return jvfio_constants_string(env, table, JVFIO_ARRAY_SIZE(table));
}

static jint destroy(JNIEnv *env, jclass cls, jint fd, jint id)
{
    struct iommu_destroy cmd = { .size = sizeof(cmd), .id = (uint32_t)id };

    return ioctl(fd, IOMMU_DESTROY, &cmd) ? JVFIO_ERR() : 0;
}

static jint ioas_alloc(JNIEnv *env, jclass cls, jint fd)
{
    struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };

    return ioctl(fd, IOMMU_IOAS_ALLOC, &cmd) ? JVFIO_ERR() : (jint)cmd.out_ioas_id;
}

/* Returns 0 or -errno; stores the IOVA used (the kernel's choice without IOMMU_IOAS_MAP_FIXED_IOVA) as a
 * long at `out_iova` unless it is 0. Not the IOVA as the result: one at or above 2^63 would read as -errno. */
static jint ioas_map(JNIEnv *env, jclass cls, jint fd, jint ioas, jint flags, jlong va, jlong length, jlong iova,
                     jlong out_iova)
{
    struct iommu_ioas_map cmd = {
        .size = sizeof(cmd), .flags = (uint32_t)flags, .ioas_id = (uint32_t)ioas,
        .user_va = (uint64_t)va, .length = (uint64_t)length, .iova = (uint64_t)iova,
    };

    if (ioctl(fd, IOMMU_IOAS_MAP, &cmd))
        return JVFIO_ERR();
    if (out_iova)
        *(uint64_t *)JVFIO_ADDR(out_iova) = cmd.iova;
    return 0;
}

/* Maps `length` bytes of the file `file_fd` (a memfd) from byte `start`; returns and stores as ioas_map. */
static jint ioas_map_file(JNIEnv *env, jclass cls, jint fd, jint ioas, jint flags, jint file_fd, jlong start,
                          jlong length, jlong iova, jlong out_iova)
{
    struct iommu_ioas_map_file cmd = {
        .size = sizeof(cmd), .flags = (uint32_t)flags, .ioas_id = (uint32_t)ioas, .fd = file_fd,
        .start = (uint64_t)start, .length = (uint64_t)length, .iova = (uint64_t)iova,
    };

    if (ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd))
        return JVFIO_ERR();
    if (out_iova)
        *(uint64_t *)JVFIO_ADDR(out_iova) = cmd.iova;
    return 0;
}

/* Returns the number of bytes unmapped. iova 0 and length UINT64_MAX (-1) unmap everything. */
static jlong ioas_unmap(JNIEnv *env, jclass cls, jint fd, jint ioas, jlong iova, jlong length)
{
    struct iommu_ioas_unmap cmd = {
        .size = sizeof(cmd), .ioas_id = (uint32_t)ioas, .iova = (uint64_t)iova, .length = (uint64_t)length,
    };
    return ioctl(fd, IOMMU_IOAS_UNMAP, &cmd) ? JVFIO_ERR() : (jlong)(cmd.length & INT64_MAX);
}

static jint ioas_copy(JNIEnv *env, jclass cls, jint fd, jint dst, jint src, jint flags, jlong dst_iova,
                      jlong src_iova, jlong length)
{
    struct iommu_ioas_copy cmd = {
        .size = sizeof(cmd), .flags = (uint32_t)flags, .dst_ioas_id = (uint32_t)dst,
        .src_ioas_id = (uint32_t)src, .length = (uint64_t)length, .dst_iova = (uint64_t)dst_iova,
        .src_iova = (uint64_t)src_iova,
    };
    return ioctl(fd, IOMMU_IOAS_COPY, &cmd) ? JVFIO_ERR() : 0;
}

/* Fills up to `capacity` ranges at `ranges` and the alignment at `out_alignment`; returns how many
 * ranges there are (more than capacity: call again with room for that many). */
static jint ioas_iova_ranges(JNIEnv *env, jclass cls, jint fd, jint ioas, jlong ranges, jint capacity,
                             jlong out_alignment)
{
    struct iommu_ioas_iova_ranges cmd = {
        .size = sizeof(cmd), .ioas_id = (uint32_t)ioas, .num_iovas = (uint32_t)capacity,
        .allowed_iovas = (uint64_t)ranges,
    };
    if (ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd) && errno != EMSGSIZE)
        return JVFIO_ERR();
    *(uint64_t *)JVFIO_ADDR(out_alignment) = cmd.out_iova_alignment;
    return (jint)cmd.num_iovas;
}

static jint ioas_allow_iovas(JNIEnv *env, jclass cls, jint fd, jint ioas, jlong ranges, jint count)
{
    struct iommu_ioas_allow_iovas cmd = {
        .size = sizeof(cmd), .ioas_id = (uint32_t)ioas, .num_iovas = (uint32_t)count,
        .allowed_iovas = (uint64_t)ranges,
    };
    return ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd) ? JVFIO_ERR() : 0;
}

/* IOMMU_OPTION: GET returns the value (options are small non-negative numbers), SET returns 0. */
static jlong option(JNIEnv *env, jclass cls, jint fd, jint option_id, jint op, jint object_id, jlong value)
{
    struct iommu_option cmd = {
        .size = sizeof(cmd), .option_id = (uint32_t)option_id, .op = (uint16_t)op,
        .object_id = (uint32_t)object_id, .val64 = (uint64_t)value,
    };
    return ioctl(fd, IOMMU_OPTION, &cmd) ? JVFIO_ERR() : (jlong)cmd.val64;
}

static jint vfio_ioas(JNIEnv *env, jclass cls, jint fd, jint op, jint ioas)
{
    struct iommu_vfio_ioas cmd = { .size = sizeof(cmd), .ioas_id = (uint32_t)ioas, .op = (uint16_t)op };

    return ioctl(fd, IOMMU_VFIO_IOAS, &cmd) ? JVFIO_ERR() : (jint)cmd.ioas_id;
}

static jint hwpt_alloc(JNIEnv *env, jclass cls, jint fd, jint flags, jint dev_id, jint pt_id,
                       jint data_type, jlong data, jint data_len, jint fault_id)
{
    struct iommu_hwpt_alloc cmd = {
        .size = sizeof(cmd), .flags = (uint32_t)flags, .dev_id = (uint32_t)dev_id, .pt_id = (uint32_t)pt_id,
        .data_type = (uint32_t)data_type, .data_len = (uint32_t)data_len, .data_uptr = (uint64_t)data,
        .fault_id = (uint32_t)fault_id,
    };
    return ioctl(fd, IOMMU_HWPT_ALLOC, &cmd) ? JVFIO_ERR() : (jint)cmd.out_hwpt_id;
}

static jint hwpt_set_dirty_tracking(JNIEnv *env, jclass cls, jint fd, jint hwpt, jint flags)
{
    struct iommu_hwpt_set_dirty_tracking cmd = {
        .size = sizeof(cmd), .flags = (uint32_t)flags, .hwpt_id = (uint32_t)hwpt,
    };
    return ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd) ? JVFIO_ERR() : 0;
}

/* One bit per `page_size` of [iova, iova + length) goes to the bitmap at `data` (64-bit words). */
static jint hwpt_get_dirty_bitmap(JNIEnv *env, jclass cls, jint fd, jint hwpt, jint flags, jlong iova, jlong length,
                                  jlong page_size, jlong data)
{
    struct iommu_hwpt_get_dirty_bitmap cmd = {
        .size = sizeof(cmd), .hwpt_id = (uint32_t)hwpt, .flags = (uint32_t)flags, .iova = (uint64_t)iova,
        .length = (uint64_t)length, .page_size = (uint64_t)page_size, .data = (uint64_t)data,
    };
    return ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd) ? JVFIO_ERR() : 0;
}

/* Driver data goes to `data` (data_len bytes); the fixed outputs to the hw_info_out struct at `out`. */
static jint get_hw_info(JNIEnv *env, jclass cls, jint fd, jint dev_id, jlong data, jint data_len, jlong out)
{
    struct iommu_hw_info cmd = {
        .size = sizeof(cmd), .dev_id = (uint32_t)dev_id, .data_len = (uint32_t)data_len,
        .data_uptr = (uint64_t)data,
    };
    uint8_t *o = JVFIO_ADDR(out);

    if (ioctl(fd, IOMMU_GET_HW_INFO, &cmd))
        return JVFIO_ERR();
    *(uint32_t *)(o + 0) = cmd.out_data_type;
    *(uint32_t *)(o + 4) = cmd.out_max_pasid_log2;
    *(uint32_t *)(o + 8) = cmd.data_len;
    *(uint64_t *)(o + 16) = cmd.out_capabilities;
    return 0;
}

static const JNINativeMethod methods[] = {
    { "constants", "()Ljava/lang/String;", (void *)constants },
    { "destroy", "(II)I", (void *)destroy },
    { "ioasAlloc", "(I)I", (void *)ioas_alloc },
    { "ioasMap", "(IIIJJJJ)I", (void *)ioas_map },
    { "ioasMapFile", "(IIIIJJJJ)I", (void *)ioas_map_file },
    { "ioasUnmap", "(IIJJ)J", (void *)ioas_unmap },
    { "ioasCopy", "(IIIIJJJ)I", (void *)ioas_copy },
    { "ioasIovaRanges", "(IIJIJ)I", (void *)ioas_iova_ranges },
    { "ioasAllowIovas", "(IIJI)I", (void *)ioas_allow_iovas },
    { "option", "(IIIIJ)J", (void *)option },
    { "vfioIoas", "(III)I", (void *)vfio_ioas },
    { "hwptAlloc", "(IIIIIJII)I", (void *)hwpt_alloc },
    { "getHwInfo", "(IIJIJ)I", (void *)get_hw_info },
    { "hwptSetDirtyTracking", "(III)I", (void *)hwpt_set_dirty_tracking },
    { "hwptGetDirtyBitmap", "(IIIJJJJ)I", (void *)hwpt_get_dirty_bitmap },
};

int jvfio_register_iommufd(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/IommufdNative", methods, JVFIO_ARRAY_SIZE(methods));
}
