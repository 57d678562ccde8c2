/* The VFIO ioctls on the container, group and device fds of /dev/vfio: type1 IOMMU, group status,
 * device, regions, IRQs, reset, the cdev's iommufd binding. One file per kernel interface: iommufd's
 * ioctls are in iommufd.c; the MMIO accessors, also natives of io.jvfio.internal.VfioNative, are
 * not ioctls and live in mmio.c.
 * Variable-size info structs use the kernel's argsz protocol: the caller passes a buffer of `cap`
 * bytes; the native returns the argsz the kernel wants, and the caller retries with a larger buffer
 * when that is above `cap`. Java decodes the bytes with the offsets exported below.
 * Compiled against the newest UAPI headers: a flag the running kernel lacks (VFIO_DEVICE_ATTACH_PASID
 * before 6.15) fails with its own errno, which Java turns into a refusal naming the version. */
#include "jvfio.h"

#include <linux/vfio.h>
#include <string.h>
#include <sys/ioctl.h>

static jstring constants(JNIEnv *env, jclass cls)
{
    static const struct jvfio_constant table[] = {
        JVFIO_CONST(VFIO_API_VERSION),
        JVFIO_CONST(VFIO_TYPE1_IOMMU),
        JVFIO_CONST(VFIO_TYPE1v2_IOMMU),
        JVFIO_CONST(VFIO_NOIOMMU_IOMMU),
        JVFIO_CONST(VFIO_GET_API_VERSION),
        JVFIO_CONST(VFIO_CHECK_EXTENSION),
        JVFIO_CONST(VFIO_SET_IOMMU),
        JVFIO_CONST(VFIO_IOMMU_GET_INFO),
        JVFIO_CONST(VFIO_IOMMU_MAP_DMA),
        JVFIO_CONST(VFIO_IOMMU_UNMAP_DMA),
        JVFIO_CONST(VFIO_GROUP_GET_STATUS),
        JVFIO_CONST(VFIO_GROUP_SET_CONTAINER),
        JVFIO_CONST(VFIO_GROUP_UNSET_CONTAINER),
        JVFIO_CONST(VFIO_GROUP_GET_DEVICE_FD),
        JVFIO_CONST(VFIO_DEVICE_GET_INFO),
        JVFIO_CONST(VFIO_DEVICE_GET_REGION_INFO),
        JVFIO_CONST(VFIO_DEVICE_GET_IRQ_INFO),
        JVFIO_CONST(VFIO_DEVICE_SET_IRQS),
        JVFIO_CONST(VFIO_DEVICE_RESET),
        JVFIO_CONST(VFIO_DEVICE_GET_PCI_HOT_RESET_INFO),
        JVFIO_CONST(VFIO_DEVICE_BIND_IOMMUFD),
        JVFIO_CONST(VFIO_DEVICE_ATTACH_IOMMUFD_PT),
        JVFIO_CONST(VFIO_DEVICE_DETACH_IOMMUFD_PT),
        JVFIO_CONST(VFIO_DEVICE_ATTACH_PASID),
        JVFIO_CONST(VFIO_DEVICE_DETACH_PASID),
        JVFIO_CONST(VFIO_GROUP_FLAGS_VIABLE),
        JVFIO_CONST(VFIO_GROUP_FLAGS_CONTAINER_SET),
        JVFIO_CONST(VFIO_DMA_MAP_FLAG_READ),
        JVFIO_CONST(VFIO_DMA_MAP_FLAG_WRITE),
        JVFIO_CONST(VFIO_IOMMU_INFO_PGSIZES),
        JVFIO_CONST(VFIO_IOMMU_INFO_CAPS),
        JVFIO_CONST(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE),
        JVFIO_CONST(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL),
        JVFIO_CONST(VFIO_DEVICE_FLAGS_RESET),
        JVFIO_CONST(VFIO_DEVICE_FLAGS_PCI),
        JVFIO_CONST(VFIO_DEVICE_FLAGS_CAPS),
        JVFIO_CONST(VFIO_DEVICE_FLAGS_CDX),
        JVFIO_CONST(VFIO_REGION_INFO_FLAG_READ),
        JVFIO_CONST(VFIO_REGION_INFO_FLAG_WRITE),
        JVFIO_CONST(VFIO_REGION_INFO_FLAG_MMAP),
        JVFIO_CONST(VFIO_REGION_INFO_FLAG_CAPS),
        JVFIO_CONST(VFIO_REGION_INFO_CAP_SPARSE_MMAP),
        JVFIO_CONST(VFIO_REGION_INFO_CAP_TYPE),
        JVFIO_CONST(VFIO_PCI_BAR0_REGION_INDEX),
        JVFIO_CONST(VFIO_PCI_ROM_REGION_INDEX),
        JVFIO_CONST(VFIO_PCI_CONFIG_REGION_INDEX),
        JVFIO_CONST(VFIO_PCI_VGA_REGION_INDEX),
        JVFIO_CONST(VFIO_PCI_NUM_REGIONS),
        JVFIO_CONST(VFIO_PCI_INTX_IRQ_INDEX),
        JVFIO_CONST(VFIO_PCI_MSI_IRQ_INDEX),
        JVFIO_CONST(VFIO_PCI_MSIX_IRQ_INDEX),
        JVFIO_CONST(VFIO_PCI_ERR_IRQ_INDEX),
        JVFIO_CONST(VFIO_PCI_REQ_IRQ_INDEX),
        JVFIO_CONST(VFIO_PCI_NUM_IRQS),
        JVFIO_CONST(VFIO_IRQ_INFO_EVENTFD),
        JVFIO_CONST(VFIO_IRQ_INFO_MASKABLE),
        JVFIO_CONST(VFIO_IRQ_INFO_AUTOMASKED),
        JVFIO_CONST(VFIO_IRQ_INFO_NORESIZE),
        JVFIO_CONST(VFIO_IRQ_SET_DATA_NONE),
        JVFIO_CONST(VFIO_IRQ_SET_DATA_BOOL),
        JVFIO_CONST(VFIO_IRQ_SET_DATA_EVENTFD),
        JVFIO_CONST(VFIO_IRQ_SET_ACTION_MASK),
        JVFIO_CONST(VFIO_IRQ_SET_ACTION_UNMASK),
        JVFIO_CONST(VFIO_IRQ_SET_ACTION_TRIGGER),
        JVFIO_SIZEOF(vfio_device_attach_iommufd_pt),
        JVFIO_SIZEOF(vfio_device_detach_iommufd_pt),
        JVFIO_SIZEOF(vfio_info_cap_header),
        JVFIO_OFFSETOF(vfio_info_cap_header, id),
        JVFIO_OFFSETOF(vfio_info_cap_header, version),
        JVFIO_OFFSETOF(vfio_info_cap_header, next),
        JVFIO_SIZEOF(vfio_iommu_type1_info),
        JVFIO_OFFSETOF(vfio_iommu_type1_info, argsz),
        JVFIO_OFFSETOF(vfio_iommu_type1_info, flags),
        JVFIO_OFFSETOF(vfio_iommu_type1_info, iova_pgsizes),
        JVFIO_OFFSETOF(vfio_iommu_type1_info, cap_offset),
        JVFIO_OFFSETOF(vfio_iommu_type1_info_cap_iova_range, nr_iovas),
        JVFIO_OFFSETOF(vfio_iommu_type1_info_cap_iova_range, iova_ranges),
        JVFIO_SIZEOF(vfio_iova_range),
        JVFIO_OFFSETOF(vfio_iova_range, start),
        JVFIO_OFFSETOF(vfio_iova_range, end),
        JVFIO_OFFSETOF(vfio_iommu_type1_info_dma_avail, avail),
        JVFIO_SIZEOF(vfio_device_info),
        JVFIO_OFFSETOF(vfio_device_info, argsz),
        JVFIO_OFFSETOF(vfio_device_info, flags),
        JVFIO_OFFSETOF(vfio_device_info, num_regions),
        JVFIO_OFFSETOF(vfio_device_info, num_irqs),
        JVFIO_OFFSETOF(vfio_device_info, cap_offset),
        JVFIO_SIZEOF(vfio_region_info),
        JVFIO_OFFSETOF(vfio_region_info, argsz),
        JVFIO_OFFSETOF(vfio_region_info, flags),
        JVFIO_OFFSETOF(vfio_region_info, index),
        JVFIO_OFFSETOF(vfio_region_info, cap_offset),
        JVFIO_OFFSETOF(vfio_region_info, size),
        JVFIO_OFFSETOF(vfio_region_info, offset),
        JVFIO_OFFSETOF(vfio_region_info_cap_sparse_mmap, nr_areas),
        JVFIO_OFFSETOF(vfio_region_info_cap_sparse_mmap, areas),
        JVFIO_SIZEOF(vfio_region_sparse_mmap_area),
        JVFIO_OFFSETOF(vfio_region_sparse_mmap_area, offset),
        JVFIO_OFFSETOF(vfio_region_sparse_mmap_area, size),
        JVFIO_OFFSETOF(vfio_region_info_cap_type, type),
        JVFIO_OFFSETOF(vfio_region_info_cap_type, subtype),
        JVFIO_SIZEOF(vfio_irq_info),
        JVFIO_OFFSETOF(vfio_irq_info, flags),
        JVFIO_OFFSETOF(vfio_irq_info, index),
        JVFIO_OFFSETOF(vfio_irq_info, count),
        JVFIO_SIZEOF(vfio_pci_hot_reset_info),
        JVFIO_OFFSETOF(vfio_pci_hot_reset_info, argsz),
        JVFIO_OFFSETOF(vfio_pci_hot_reset_info, flags),
        JVFIO_OFFSETOF(vfio_pci_hot_reset_info, count),
        JVFIO_OFFSETOF(vfio_pci_hot_reset_info, devices),
        JVFIO_SIZEOF(vfio_pci_dependent_device),
        JVFIO_OFFSETOF(vfio_pci_dependent_device, group_id),
        JVFIO_OFFSETOF(vfio_pci_dependent_device, segment),
        JVFIO_OFFSETOF(vfio_pci_dependent_device, bus),
        JVFIO_OFFSETOF(vfio_pci_dependent_device, devfn),
    };
    return jvfio_constants_string(env, table, JVFIO_ARRAY_SIZE(table));
}

static jint simple_ioctl(JNIEnv *env, jclass cls, jint fd, jlong request)
{
    return (jint)jvfio_result(ioctl(fd, (unsigned long)request));
}

static jint ioctl_int(JNIEnv *env, jclass cls, jint fd, jlong request, jlong arg)
{
    return (jint)jvfio_result(ioctl(fd, (unsigned long)request, (unsigned long)arg));
}

/* argsz protocol: the buffer starts with a __u32 argsz; returns the argsz the kernel asked for. */
static jint argsz_ioctl(int fd, unsigned long request, void *buf, jint cap, size_t minimum)
{
    uint32_t *argsz = buf;

    if ((size_t)cap < minimum)
        return -EINVAL;
    *argsz = (uint32_t)cap;
    if (ioctl(fd, request, buf))
        return JVFIO_ERR();
    return (jint)*argsz;
}

static jint iommu_get_info(JNIEnv *env, jclass cls, jint fd, jlong buf, jint cap)
{
    memset(JVFIO_ADDR(buf), 0, (size_t)cap);
    return argsz_ioctl(fd, VFIO_IOMMU_GET_INFO, JVFIO_ADDR(buf), cap, sizeof(struct vfio_iommu_type1_info));
}

static jint map_dma(JNIEnv *env, jclass cls, jint fd, jint flags, jlong vaddr, jlong iova, jlong size)
{
    struct vfio_iommu_type1_dma_map map = {
        .argsz = sizeof(map), .flags = (uint32_t)flags,
        .vaddr = (uint64_t)vaddr, .iova = (uint64_t)iova, .size = (uint64_t)size,
    };
    return ioctl(fd, VFIO_IOMMU_MAP_DMA, &map) ? JVFIO_ERR() : 0;
}

/* Returns the number of bytes unmapped. */
static jlong unmap_dma(JNIEnv *env, jclass cls, jint fd, jlong iova, jlong size)
{
    struct vfio_iommu_type1_dma_unmap unmap = {
        .argsz = sizeof(unmap), .iova = (uint64_t)iova, .size = (uint64_t)size,
    };
    return ioctl(fd, VFIO_IOMMU_UNMAP_DMA, &unmap) ? JVFIO_ERR() : (jlong)unmap.size;
}

static jint group_get_status(JNIEnv *env, jclass cls, jint fd)
{
    struct vfio_group_status status = { .argsz = sizeof(status) };

    return ioctl(fd, VFIO_GROUP_GET_STATUS, &status) ? JVFIO_ERR() : (jint)status.flags;
}

static jint group_set_container(JNIEnv *env, jclass cls, jint group_fd, jint container_fd)
{
    return ioctl(group_fd, VFIO_GROUP_SET_CONTAINER, &container_fd) ? JVFIO_ERR() : 0;
}

static jint group_get_device_fd(JNIEnv *env, jclass cls, jint fd, jstring name)
{
    const char *n;
    jint r;

    if (!name) /* Java checks; a null here would crash the JVM in GetStringUTFChars */
        return -EINVAL;
    n = (*env)->GetStringUTFChars(env, name, NULL);
    if (!n)
        return -ENOMEM;
    r = (jint)jvfio_result(ioctl(fd, VFIO_GROUP_GET_DEVICE_FD, n));
    (*env)->ReleaseStringUTFChars(env, name, n);
    return r;
}

static jint device_get_info(JNIEnv *env, jclass cls, jint fd, jlong buf, jint cap)
{
    memset(JVFIO_ADDR(buf), 0, (size_t)cap);
    return argsz_ioctl(fd, VFIO_DEVICE_GET_INFO, JVFIO_ADDR(buf), cap, sizeof(struct vfio_device_info));
}

static jint region_get_info(JNIEnv *env, jclass cls, jint fd, jint index, jlong buf, jint cap)
{
    struct vfio_region_info *info = JVFIO_ADDR(buf);

    if ((size_t)cap < sizeof(*info))
        return -EINVAL;
    memset(info, 0, (size_t)cap);
    info->index = (uint32_t)index;
    return argsz_ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, info, cap, sizeof(*info));
}

static jint irq_get_info(JNIEnv *env, jclass cls, jint fd, jint index, jlong buf)
{
    struct vfio_irq_info *info = JVFIO_ADDR(buf);

    memset(info, 0, sizeof(*info));
    info->argsz = sizeof(*info);
    info->index = (uint32_t)index;
    return ioctl(fd, VFIO_DEVICE_GET_IRQ_INFO, info) ? JVFIO_ERR() : 0;
}

/* VFIO_DEVICE_SET_IRQS with `data_len` bytes of payload (eventfds as int32, or bools as uint8). */
static jint set_irqs(JNIEnv *env, jclass cls, jint fd, jint flags, jint index, jint start, jint count,
                     jlong data, jint data_len)
{
    char storage[sizeof(struct vfio_irq_set) + 2048 * sizeof(int32_t)];
    struct vfio_irq_set *set = (struct vfio_irq_set *)storage;

    if (data_len < 0 || (size_t)data_len > sizeof(storage) - sizeof(*set))
        return -E2BIG;
    memset(set, 0, sizeof(*set));
    set->argsz = (uint32_t)(sizeof(*set) + (size_t)data_len);
    set->flags = (uint32_t)flags;
    set->index = (uint32_t)index;
    set->start = (uint32_t)start;
    set->count = (uint32_t)count;
    if (data_len)
        memcpy(set->data, JVFIO_ADDR(data), (size_t)data_len);
    return ioctl(fd, VFIO_DEVICE_SET_IRQS, set) ? JVFIO_ERR() : 0;
}

/* Returns the argsz needed; ENOSPC from the kernel also reports it (the buffer was too small). */
static jint hot_reset_info(JNIEnv *env, jclass cls, jint fd, jlong buf, jint cap)
{
    struct vfio_pci_hot_reset_info *info = JVFIO_ADDR(buf);

    if ((size_t)cap < sizeof(*info))
        return -EINVAL;
    memset(info, 0, (size_t)cap);
    info->argsz = (uint32_t)cap;
    if (ioctl(fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info) && errno != ENOSPC)
        return JVFIO_ERR();
    return (jint)(sizeof(*info) + info->count * sizeof(struct vfio_pci_dependent_device));
}

static jint bind_iommufd(JNIEnv *env, jclass cls, jint fd, jint iommufd)
{
    struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = iommufd };

    return ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &bind) ? JVFIO_ERR() : (jint)bind.out_devid;
}

static jint attach_pt(JNIEnv *env, jclass cls, jint fd, jint pt_id)
{
    struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach), .pt_id = (uint32_t)pt_id };

    return ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ? JVFIO_ERR() : (jint)attach.pt_id;
}

static jint detach_pt(JNIEnv *env, jclass cls, jint fd)
{
    struct vfio_device_detach_iommufd_pt detach = { .argsz = sizeof(detach) };

    return ioctl(fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) ? JVFIO_ERR() : 0;
}

/* Kernels before 6.15 take no flags here and answer EINVAL. */
static jint attach_pasid(JNIEnv *env, jclass cls, jint fd, jint pasid, jint pt_id)
{
    struct vfio_device_attach_iommufd_pt attach = {
        .argsz = sizeof(attach), .flags = VFIO_DEVICE_ATTACH_PASID, .pt_id = (uint32_t)pt_id,
        .pasid = (uint32_t)pasid,
    };
    return ioctl(fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ? JVFIO_ERR() : (jint)attach.pt_id;
}

static jint detach_pasid(JNIEnv *env, jclass cls, jint fd, jint pasid)
{
    struct vfio_device_detach_iommufd_pt detach = {
        .argsz = sizeof(detach), .flags = VFIO_DEVICE_DETACH_PASID, .pasid = (uint32_t)pasid,
    };
    return ioctl(fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) ? JVFIO_ERR() : 0;
}

static const JNINativeMethod methods[] = {
    { "constants", "()Ljava/lang/String;", (void *)constants },
    { "simpleIoctl", "(IJ)I", (void *)simple_ioctl },
    { "intIoctl", "(IJJ)I", (void *)ioctl_int },
    { "iommuGetInfo", "(IJI)I", (void *)iommu_get_info },
    { "mapDma", "(IIJJJ)I", (void *)map_dma },
    { "unmapDma", "(IJJ)J", (void *)unmap_dma },
    { "groupGetStatus", "(I)I", (void *)group_get_status },
    { "groupSetContainer", "(II)I", (void *)group_set_container },
    { "groupGetDeviceFd", "(ILjava/lang/String;)I", (void *)group_get_device_fd },
    { "deviceGetInfo", "(IJI)I", (void *)device_get_info },
    { "regionGetInfo", "(IIJI)I", (void *)region_get_info },
    { "irqGetInfo", "(IIJ)I", (void *)irq_get_info },
    { "setIrqs", "(IIIIIJI)I", (void *)set_irqs },
    { "hotResetInfo", "(IJI)I", (void *)hot_reset_info },
    { "bindIommufd", "(II)I", (void *)bind_iommufd },
    { "attachPt", "(II)I", (void *)attach_pt },
    { "detachPt", "(I)I", (void *)detach_pt },
    { "attachPasid", "(III)I", (void *)attach_pasid },
    { "detachPasid", "(II)I", (void *)detach_pasid },
};

int jvfio_register_vfio(JNIEnv *env)
{
    return jvfio_register(env, "io/jvfio/internal/VfioNative", methods, JVFIO_ARRAY_SIZE(methods));
}
