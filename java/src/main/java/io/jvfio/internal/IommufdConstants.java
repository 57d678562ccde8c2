package io.jvfio.internal;

/** Constants and struct layouts of native/src/iommufd.c (from the kernel's linux/iommufd.h). */
public final class IommufdConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("iommufd.c", IommufdNative.constants());

    public static final int MAP_FIXED_IOVA = C.getInt("IOMMU_IOAS_MAP_FIXED_IOVA");
    public static final int MAP_WRITEABLE = C.getInt("IOMMU_IOAS_MAP_WRITEABLE");
    public static final int MAP_READABLE = C.getInt("IOMMU_IOAS_MAP_READABLE");
    public static final int HWPT_ALLOC_NEST_PARENT = C.getInt("IOMMU_HWPT_ALLOC_NEST_PARENT");
    public static final int HWPT_ALLOC_DIRTY_TRACKING = C.getInt("IOMMU_HWPT_ALLOC_DIRTY_TRACKING");
    public static final int HWPT_FAULT_ID_VALID = C.getInt("IOMMU_HWPT_FAULT_ID_VALID");
    public static final int HWPT_ALLOC_PASID = C.getInt("IOMMU_HWPT_ALLOC_PASID");
    public static final int HWPT_DIRTY_TRACKING_ENABLE = C.getInt("IOMMU_HWPT_DIRTY_TRACKING_ENABLE");
    public static final int HWPT_GET_DIRTY_BITMAP_NO_CLEAR = C.getInt("IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR");
    public static final int HWPT_DATA_NONE = C.getInt("IOMMU_HWPT_DATA_NONE");
    public static final int OPTION_RLIMIT_MODE = C.getInt("IOMMU_OPTION_RLIMIT_MODE");
    public static final int OPTION_HUGE_PAGES = C.getInt("IOMMU_OPTION_HUGE_PAGES");
    public static final int OPTION_OP_SET = C.getInt("IOMMU_OPTION_OP_SET");
    public static final int OPTION_OP_GET = C.getInt("IOMMU_OPTION_OP_GET");
    public static final int VFIO_IOAS_GET = C.getInt("IOMMU_VFIO_IOAS_GET");
    public static final int VFIO_IOAS_SET = C.getInt("IOMMU_VFIO_IOAS_SET");
    public static final int VFIO_IOAS_CLEAR = C.getInt("IOMMU_VFIO_IOAS_CLEAR");

    private IommufdConstants() {}
}
