package io.jvfio.internal;

/** Constants and struct layouts of native/src/vfio.c (from the kernel's linux/vfio.h). */
public final class VfioConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("vfio.c", VfioNative.constants());

    public static final int VFIO_API_VERSION = C.getInt("VFIO_API_VERSION");
    public static final int VFIO_TYPE1v2_IOMMU = C.getInt("VFIO_TYPE1v2_IOMMU");
    public static final long VFIO_GET_API_VERSION = C.get("VFIO_GET_API_VERSION");
    public static final long VFIO_CHECK_EXTENSION = C.get("VFIO_CHECK_EXTENSION");
    public static final long VFIO_SET_IOMMU = C.get("VFIO_SET_IOMMU");
    public static final long VFIO_GROUP_UNSET_CONTAINER = C.get("VFIO_GROUP_UNSET_CONTAINER");
    public static final long VFIO_DEVICE_RESET = C.get("VFIO_DEVICE_RESET");
    public static final int GROUP_FLAGS_VIABLE = C.getInt("VFIO_GROUP_FLAGS_VIABLE");
    public static final int GROUP_FLAGS_CONTAINER_SET = C.getInt("VFIO_GROUP_FLAGS_CONTAINER_SET");
    public static final int DMA_MAP_FLAG_READ = C.getInt("VFIO_DMA_MAP_FLAG_READ");
    public static final int DMA_MAP_FLAG_WRITE = C.getInt("VFIO_DMA_MAP_FLAG_WRITE");
    public static final int PCI_CONFIG_REGION_INDEX = C.getInt("VFIO_PCI_CONFIG_REGION_INDEX");
    public static final int IRQ_SET_DATA_NONE = C.getInt("VFIO_IRQ_SET_DATA_NONE");
    public static final int IRQ_SET_DATA_BOOL = C.getInt("VFIO_IRQ_SET_DATA_BOOL");
    public static final int IRQ_SET_DATA_EVENTFD = C.getInt("VFIO_IRQ_SET_DATA_EVENTFD");
    public static final int IRQ_SET_ACTION_MASK = C.getInt("VFIO_IRQ_SET_ACTION_MASK");
    public static final int IRQ_SET_ACTION_UNMASK = C.getInt("VFIO_IRQ_SET_ACTION_UNMASK");
    public static final int IRQ_SET_ACTION_TRIGGER = C.getInt("VFIO_IRQ_SET_ACTION_TRIGGER");

    private VfioConstants() {}
}
