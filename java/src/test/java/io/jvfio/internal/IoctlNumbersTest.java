package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The shim takes ioctl numbers and struct layouts from the kernel's UAPI headers; these are the
 * literal values from include/uapi/linux/vfio.h and iommufd.h (7.2), worked out by hand, so a wrong
 * header or a broken constant table fails here rather than in a guest. All are _IO(';', nr).
 */
class IoctlNumbersTest {
    private static long io(int nr) {
        return (';' << 8) | nr;
    }

    @Test
    void vfioIoctlsAreVfioBasePlusN() {
        NativeConstants c = VfioConstants.C;
        assertEquals(0x3B64, c.get("VFIO_GET_API_VERSION"));
        assertEquals(0x3B65, c.get("VFIO_CHECK_EXTENSION"));
        assertEquals(0x3B66, c.get("VFIO_SET_IOMMU"));
        assertEquals(0x3B67, c.get("VFIO_GROUP_GET_STATUS"));
        assertEquals(0x3B68, c.get("VFIO_GROUP_SET_CONTAINER"));
        assertEquals(0x3B69, c.get("VFIO_GROUP_UNSET_CONTAINER"));
        assertEquals(0x3B6A, c.get("VFIO_GROUP_GET_DEVICE_FD"));
        assertEquals(0x3B6B, c.get("VFIO_DEVICE_GET_INFO"));
        assertEquals(0x3B6C, c.get("VFIO_DEVICE_GET_REGION_INFO"));
        assertEquals(0x3B6D, c.get("VFIO_DEVICE_GET_IRQ_INFO"));
        assertEquals(0x3B6E, c.get("VFIO_DEVICE_SET_IRQS"));
        assertEquals(0x3B6F, c.get("VFIO_DEVICE_RESET"));
        assertEquals(0x3B70, c.get("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO"));
        assertEquals(0x3B70, c.get("VFIO_IOMMU_GET_INFO"), "VFIO_BASE + 12 twice: one on device fds, one on containers");
        assertEquals(0x3B71, c.get("VFIO_IOMMU_MAP_DMA"));
        assertEquals(0x3B72, c.get("VFIO_IOMMU_UNMAP_DMA"));
        assertEquals(0x3B76, c.get("VFIO_DEVICE_BIND_IOMMUFD"));
        assertEquals(0x3B77, c.get("VFIO_DEVICE_ATTACH_IOMMUFD_PT"));
        assertEquals(0x3B78, c.get("VFIO_DEVICE_DETACH_IOMMUFD_PT"));
        assertEquals(0, VfioConstants.VFIO_API_VERSION);
        assertEquals(3, VfioConstants.VFIO_TYPE1v2_IOMMU);
    }

    @Test
    void iommufdIoctlsAreCmdBase0x80PlusN() {
        NativeConstants c = IommufdConstants.C;
        assertEquals(io(0x80), c.get("IOMMU_DESTROY"));
        assertEquals(io(0x81), c.get("IOMMU_IOAS_ALLOC"));
        assertEquals(io(0x82), c.get("IOMMU_IOAS_ALLOW_IOVAS"));
        assertEquals(io(0x83), c.get("IOMMU_IOAS_COPY"));
        assertEquals(io(0x84), c.get("IOMMU_IOAS_IOVA_RANGES"));
        assertEquals(io(0x85), c.get("IOMMU_IOAS_MAP"));
        assertEquals(io(0x86), c.get("IOMMU_IOAS_UNMAP"));
        assertEquals(io(0x87), c.get("IOMMU_OPTION"));
        assertEquals(io(0x89), c.get("IOMMU_HWPT_ALLOC"));
        assertEquals(io(0x8a), c.get("IOMMU_GET_HW_INFO"));
        assertEquals(io(0x8b), c.get("IOMMU_HWPT_SET_DIRTY_TRACKING"));
        assertEquals(io(0x8c), c.get("IOMMU_HWPT_GET_DIRTY_BITMAP"));
        assertEquals(io(0x8e), FaultConstants.C.get("IOMMU_FAULT_QUEUE_ALLOC"));
        assertEquals(io(0x8f), c.get("IOMMU_IOAS_MAP_FILE"), "6.13+");
    }

    @Test
    void newerUapiThan612() {
        assertEquals(1 << 3, IommufdConstants.HWPT_ALLOC_PASID, "IOMMU_HWPT_ALLOC_PASID, 6.15+");
        assertEquals(1 << 2, IommufdConstants.HWPT_FAULT_ID_VALID);
        assertEquals(1, VfioConstants.C.get("VFIO_DEVICE_ATTACH_PASID"));
        assertEquals(1, VfioConstants.C.get("VFIO_DEVICE_DETACH_PASID"));
        assertEquals(40, IommufdConstants.C.sizeOf("iommu_ioas_map_file"), "size, flags, ioas_id, fd; start, length, iova");
        assertEquals(16, VfioConstants.C.sizeOf("vfio_device_attach_iommufd_pt"), "argsz, flags, pt_id, pasid");
        assertEquals(12, VfioConstants.C.sizeOf("vfio_device_detach_iommufd_pt"), "argsz, flags, pasid");
    }

    @Test
    void structLayoutsJavaDependsOn() {
        assertEquals(40, FaultConstants.RECORD_SIZE, "struct iommu_hwpt_pgfault: six u32, u64 addr, two u32");
        assertEquals(24, FaultConstants.ADDR, "addr follows perm and a reserved u32");
        assertEquals(36, FaultConstants.COOKIE, "cookie is the last u32");
        assertEquals(8, FaultConstants.RESPONSE_SIZE, "struct iommu_hwpt_page_response");
        assertEquals(32, VfioConstants.C.sizeOf("vfio_region_info"));
        assertEquals(16, VfioConstants.C.sizeOf("vfio_irq_info"));
        assertEquals(8, VfioConstants.C.sizeOf("vfio_info_cap_header"));
        assertEquals(16, VfioConstants.C.sizeOf("vfio_iova_range"));
    }

    @Test
    void faultFlagsAndCodes() {
        assertEquals(1, FaultConstants.FLAG_PASID_VALID);
        assertEquals(2, FaultConstants.FLAG_LAST_PAGE);
        assertEquals(0, FaultConstants.RESP_SUCCESS);
        assertEquals(1, FaultConstants.RESP_INVALID);
    }
}
