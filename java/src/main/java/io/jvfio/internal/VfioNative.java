package io.jvfio.internal;

/**
 * Natives of native/src/vfio.c, and of mmio.c for the MMIO accessors; constants in
 * {@link VfioConstants}. Natives only (see {@link UnixNative}). Info calls follow the kernel's
 * argsz protocol: they fill a buffer of {@code capacity} bytes and return the size the kernel
 * wants; call again when it is larger.
 */
public final class VfioNative {
    private VfioNative() {}

    public static native String constants();

    /** An ioctl without argument (VFIO_GET_API_VERSION, VFIO_DEVICE_RESET, UNSET_CONTAINER). */
    public static native int simpleIoctl(int fd, long request);

    /** An ioctl with an integer argument (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU). */
    public static native int intIoctl(int fd, long request, long argument);

    public static native int iommuGetInfo(int fd, long buffer, int capacity);

    public static native int mapDma(int fd, int flags, long vaddr, long iova, long size);

    /** Returns the number of bytes unmapped. */
    public static native long unmapDma(int fd, long iova, long size);

    /** Returns VFIO_GROUP_FLAGS_*. */
    public static native int groupGetStatus(int fd);

    public static native int groupSetContainer(int groupFd, int containerFd);

    public static native int groupGetDeviceFd(int groupFd, String deviceName);

    public static native int deviceGetInfo(int fd, long buffer, int capacity);

    public static native int regionGetInfo(int fd, int index, long buffer, int capacity);

    /** Fills a struct vfio_irq_info at {@code buffer}. */
    public static native int irqGetInfo(int fd, int index, long buffer);

    public static native int setIrqs(int fd, int flags, int index, int start, int count, long data, int dataLength);

    public static native int hotResetInfo(int fd, long buffer, int capacity);

    /** VFIO_DEVICE_BIND_IOMMUFD on a cdev; returns the iommufd device id. */
    public static native int bindIommufd(int fd, int iommufd);

    /** Returns the id actually attached (an IOAS may be given and a HW page table chosen). */
    public static native int attachPt(int fd, int ptId);

    public static native int detachPt(int fd);

    /** VFIO_DEVICE_ATTACH_IOMMUFD_PT with VFIO_DEVICE_ATTACH_PASID (Linux 6.15+); returns the id attached. */
    public static native int attachPasid(int fd, int pasid, int ptId);

    /** VFIO_DEVICE_DETACH_IOMMUFD_PT with VFIO_DEVICE_DETACH_PASID (Linux 6.15+). */
    public static native int detachPasid(int fd, int pasid);

    public static native int mmioRead8(long address);

    public static native int mmioRead16(long address);

    public static native int mmioRead32(long address);

    public static native long mmioRead64(long address);

    public static native void mmioWrite8(long address, int value);

    public static native void mmioWrite16(long address, int value);

    public static native void mmioWrite32(long address, int value);

    public static native void mmioWrite64(long address, long value);
}
