package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.KernelFeature;
import io.jvfio.KernelVersion;
import io.jvfio.VfioUnsupportedException;
import io.jvfio.iommufd.HwInfo;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.it.GuestDevices;
import io.jvfio.vfio.VfioDevice;
import java.util.EnumSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PASIDs on a VFIO device (VFIO_DEVICE_ATTACH_PASID and IOMMU_HWPT_ALLOC_PASID, Linux 6.15+). No
 * upstream QEMU device has a PASID capability, and the guests' VT-d runs in legacy mode, so what
 * these guests can show is the honest refusal: on 7.2 a PASID-capable table is made and carries edu's
 * own DMA, and attaching a PASID is refused because IOMMU_GET_HW_INFO reports none for edu; on 6.12
 * both are refused naming 6.15.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@IntelIommuGuest
class PasidEduTest {
    private static final boolean PASID_API = KernelFeature.DEVICE_PASID_ATTACH.isSupportedBy(KernelVersion.running());

    private EduOnIommufd fixture;
    private Iommufd iommufd;
    private VfioDevice device;
    private int deviceId;
    private IoAddressSpace ioas;

    @BeforeAll
    void open() throws Exception {
        fixture = new EduOnIommufd();
        iommufd = fixture.iommufd;
        device = fixture.device;
        deviceId = fixture.deviceId;
        ioas = fixture.ioas;
    }

    @AfterAll
    void close() throws Exception {
        fixture.close();
    }

    @Test
    void aPasidTableCarriesEdusOwnDmaOn615AndIsRefusedNaming615Before() throws Exception {
        if (!PASID_API) {
            VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class,
                    () -> HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.of(HwptFlag.PASID)));
            assertEquals(KernelFeature.HWPT_ALLOC_PASID, e.feature());
            assertTrue(e.getMessage().contains("IOMMU_HWPT_ALLOC") && e.getMessage().contains("Linux 6.15"), e.getMessage());
            return;
        }
        try (HwPageTable table = HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.of(HwptFlag.PASID))) {
            assertEquals(table.id(), device.attach(table));
            try {
                roundTrip(0x400000);
            } finally {
                device.attach(ioas.id());
            }
        }
        roundTrip(0x400000);
    }

    @Test
    void attachingAPasidOfEduIsRefusedForItsMissingPasidSupportOn615AndNaming615Before() throws Exception {
        if (!PASID_API) {
            VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, () -> device.attachPasid(1, ioas.id()));
            assertEquals(KernelFeature.DEVICE_PASID_ATTACH, e.feature());
            assertTrue(e.getMessage().contains("VFIO_DEVICE_ATTACH_IOMMUFD_PT") && e.getMessage().contains("Linux 6.15"),
                    e.getMessage());
            // 6.12's VFIO_DEVICE_DETACH_IOMMUFD_PT takes no flags: EINVAL, which names 6.15 too.
            VfioUnsupportedException detach = assertThrows(VfioUnsupportedException.class, () -> device.detachPasid(1));
            assertEquals(KernelFeature.DEVICE_PASID_ATTACH, detach.feature());
            assertTrue(detach.getMessage().contains("VFIO_DEVICE_DETACH_IOMMUFD_PT") && detach.getMessage().contains("EINVAL")
                    && detach.getMessage().contains("Linux 6.15"), detach.getMessage());
            return;
        }
        assertEquals(0, HwInfo.query(iommufd, deviceId).maxPasidLog2(), "edu has no PASID capability");
        try (HwPageTable table = HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.of(HwptFlag.PASID))) {
            VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, () -> device.attachPasid(1, table));
            assertTrue(e.getMessage().contains(GuestDevices.EDU.toString()) && e.getMessage().contains("pasid 1")
                    && e.getMessage().contains("supports no PASID") && e.getMessage().contains("x-scalable-mode"), e.getMessage());
            device.detachPasid(1); // nothing attached: left as it is, no error
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> device.attachPasid(1 << 20, ioas.id()));
        assertTrue(bad.getMessage().contains("PASID 1048576 is not in 1..1048575"), bad.getMessage());
        roundTrip(0x400000);
    }

    private void roundTrip(long iova) throws Exception {
        fixture.roundTrip(iova);
    }
}
