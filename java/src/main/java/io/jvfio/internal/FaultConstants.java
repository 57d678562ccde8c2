package io.jvfio.internal;

/** Fault record and response layouts and codes of native/src/fault.c (from linux/iommufd.h). */
public final class FaultConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("fault.c", FaultNative.constants());

    public static final int RECORD_SIZE = C.sizeOf("iommu_hwpt_pgfault");
    public static final int FLAGS = C.offsetOf("iommu_hwpt_pgfault", "flags");
    public static final int DEV_ID = C.offsetOf("iommu_hwpt_pgfault", "dev_id");
    public static final int PASID = C.offsetOf("iommu_hwpt_pgfault", "pasid");
    public static final int GRPID = C.offsetOf("iommu_hwpt_pgfault", "grpid");
    public static final int PERM = C.offsetOf("iommu_hwpt_pgfault", "perm");
    public static final int ADDR = C.offsetOf("iommu_hwpt_pgfault", "addr");
    public static final int LENGTH = C.offsetOf("iommu_hwpt_pgfault", "length");
    public static final int COOKIE = C.offsetOf("iommu_hwpt_pgfault", "cookie");
    public static final int RESPONSE_SIZE = C.sizeOf("iommu_hwpt_page_response");
    public static final int RESPONSE_COOKIE = C.offsetOf("iommu_hwpt_page_response", "cookie");
    public static final int RESPONSE_CODE = C.offsetOf("iommu_hwpt_page_response", "code");
    public static final int FLAG_PASID_VALID = C.getInt("IOMMU_PGFAULT_FLAGS_PASID_VALID");
    public static final int FLAG_LAST_PAGE = C.getInt("IOMMU_PGFAULT_FLAGS_LAST_PAGE");
    public static final int PERM_READ = C.getInt("IOMMU_PGFAULT_PERM_READ");
    public static final int PERM_WRITE = C.getInt("IOMMU_PGFAULT_PERM_WRITE");
    public static final int PERM_EXEC = C.getInt("IOMMU_PGFAULT_PERM_EXEC");
    public static final int PERM_PRIV = C.getInt("IOMMU_PGFAULT_PERM_PRIV");
    public static final int RESP_SUCCESS = C.getInt("IOMMUFD_PAGE_RESP_SUCCESS");
    public static final int RESP_INVALID = C.getInt("IOMMUFD_PAGE_RESP_INVALID");
    /** What {@link FaultNative#respondRead} returns when the write was not whole and it did not read. */
    public static final long NOT_READ = C.get("JVFIO_FAULT_NOT_READ");

    private FaultConstants() {}
}
