package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.KernelFeature;
import io.jvfio.KernelVersion;
import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.pci.PciAddress;
import io.jvfio.vfio.VfioDevice;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What an ioctl that an older kernel lacks fails with, on a kernel version put in by the test: the
 * refusal names the version needed and the running one; on a new enough kernel the errno speaks.
 * The wiring tests run the real ioctls on /dev/null, which answers ENOTTY to each, as 6.12 answers
 * IOMMU_IOAS_MAP_FILE.
 */
class KernelSupportTest {
    private static final KernelVersion V6_12 = KernelVersion.parse("6.12.118");
    private static final KernelVersion V7_2 = KernelVersion.parse("7.2.12");
    private static final PciAddress EDU = PciAddress.parse("0000:00:04.0");

    private Supplier<KernelVersion> previous;

    private void pretend(KernelVersion kernel) {
        Supplier<KernelVersion> was = KernelSupport.pretendRunningKernel(() -> kernel);
        if (previous == null) {
            previous = was;
        }
    }

    @AfterEach
    void restoreTheRunningKernel() {
        if (previous != null) {
            KernelSupport.pretendRunningKernel(previous);
        }
    }

    @Test
    void anOldKernelsErrnoBecomesARefusalNamingBothVersions() {
        VfioException e = KernelSupport.failureOn(V6_12, "IOMMU_IOAS_MAP_FILE", "ioas 3, iova 0x100000", Errno.ENOTTY,
                "an alignment hint", KernelFeature.IOAS_MAP_FILE);
        VfioUnsupportedException u = assertInstanceOf(VfioUnsupportedException.class, e);
        assertEquals(KernelFeature.IOAS_MAP_FILE, u.feature());
        assertEquals("ENOTTY", u.errnoName());
        assertEquals("IOMMU_IOAS_MAP_FILE(ioas 3, iova 0x100000): ENOTTY (Inappropriate ioctl for device); mapping a file"
                + " into an IOAS (IOMMU_IOAS_MAP_FILE) needs Linux 6.13 or later; this kernel is 6.12.118", u.getMessage());
    }

    @Test
    void einvalForAnUnknownFlagIsARefusalToo() {
        VfioException e = KernelSupport.failureOn(V6_12, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "device 0000:00:04.0, pasid 5",
                Errno.EINVAL, "a PASID hint", KernelFeature.DEVICE_PASID_ATTACH);
        assertEquals(KernelFeature.DEVICE_PASID_ATTACH, assertInstanceOf(VfioUnsupportedException.class, e).feature());
        assertTrue(e.getMessage().endsWith("EINVAL (Invalid argument); attaching a PASID of a VFIO device"
                + " (VFIO_DEVICE_ATTACH_PASID) needs Linux 6.15 or later; this kernel is 6.12.118"), e.getMessage());
    }

    @Test
    void onANewEnoughKernelTheErrnoKeepsItsOwnHint() {
        VfioException e = KernelSupport.failureOn(V7_2, "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "device 0000:00:04.0, pasid 5",
                Errno.EINVAL, "a PASID hint", KernelFeature.DEVICE_PASID_ATTACH);
        assertFalse(e instanceof VfioUnsupportedException, e.getClass().getName());
        assertEquals("VFIO_DEVICE_ATTACH_IOMMUFD_PT(device 0000:00:04.0, pasid 5): EINVAL (Invalid argument); a PASID hint",
                e.getMessage());
        VfioUnsupportedException enotty = assertInstanceOf(VfioUnsupportedException.class, KernelSupport.failureOn(V7_2,
                "IOMMU_IOAS_MAP_FILE", "ioas 3", Errno.ENOTTY, null, KernelFeature.IOAS_MAP_FILE));
        assertNull(enotty.feature(), "not a matter of the version on 7.2");
        assertTrue(enotty.getMessage().contains("lacks the ioctl"), enotty.getMessage());
    }

    @Test
    void anErrnoOldKernelsDoNotGiveForUnknownCommandsIsNoRefusal() {
        VfioException e = KernelSupport.failureOn(V6_12, "IOMMU_IOAS_MAP_FILE", "ioas 3", Errno.EEXIST, "overlaps",
                KernelFeature.IOAS_MAP_FILE);
        assertFalse(e instanceof VfioUnsupportedException, e.getMessage());
        assertTrue(e.getMessage().endsWith("EEXIST (File exists); overlaps"), e.getMessage());
    }

    @Test
    void anUnreadableKernelVersionLeavesTheErrnoAsItIs() {
        VfioException e = KernelSupport.failureOn(null, "IOMMU_IOAS_MAP_FILE", "ioas 3", Errno.ENOTTY, null,
                KernelFeature.IOAS_MAP_FILE);
        assertNull(assertInstanceOf(VfioUnsupportedException.class, e).feature());
    }

    @Test
    void everyMissingFeatureIsNamedAndTheNewestIsTheOneReported() {
        VfioException e = KernelSupport.failureOn(V6_12, "IOMMU_HWPT_ALLOC", "device 1", Errno.EOPNOTSUPP, null,
                KernelFeature.FAULT_ON_PAGING_HWPT, KernelFeature.HWPT_ALLOC_PASID);
        assertEquals(KernelFeature.HWPT_ALLOC_PASID, assertInstanceOf(VfioUnsupportedException.class, e).feature());
        assertTrue(e.getMessage().contains("a fault queue on a paging HW page table (6.11 and 6.12 take one only on nested"
                + " page tables) needs Linux 6.13 or later; a HW page table for PASIDs (IOMMU_HWPT_ALLOC_PASID) needs"
                + " Linux 6.15 or later; this kernel is 6.12.118"), e.getMessage());
        VfioException on614 = KernelSupport.failureOn(KernelVersion.parse("6.14.3"), "IOMMU_HWPT_ALLOC", "device 1",
                Errno.EOPNOTSUPP, null, KernelFeature.FAULT_ON_PAGING_HWPT, KernelFeature.HWPT_ALLOC_PASID);
        assertFalse(on614.getMessage().contains("6.13"), "6.14 has the fault queue: " + on614.getMessage());
    }

    @Test
    void thePretendedKernelDecidesWhatIsLacking() {
        pretend(V6_12);
        assertTrue(KernelSupport.lacks(KernelFeature.FAULT_ON_PAGING_HWPT));
        pretend(V7_2);
        assertFalse(KernelSupport.lacks(KernelFeature.DEVICE_PASID_ATTACH));
        pretend(null);
        assertFalse(KernelSupport.lacks(KernelFeature.DEVICE_PASID_ATTACH), "unknown: let the ioctl speak");
    }

    @Test
    void aPasidTableOnAnOldKernelIsRefusedNamingTheVersion() throws Exception {
        pretend(V6_12);
        try (Iommufd notIommufd = Iommufd.open("/dev/null")) {
            VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class,
                    () -> HwPageTable.allocate(notIommufd, 1, 2, EnumSet.of(HwptFlag.PASID)));
            assertEquals(KernelFeature.HWPT_ALLOC_PASID, e.feature());
            assertEquals("IOMMU_HWPT_ALLOC", e.operation());
            assertTrue(e.getMessage().endsWith("needs Linux 6.15 or later; this kernel is 6.12.118"), e.getMessage());
        }
    }

    @Test
    void anUnboundDeviceIsToldToBindBeforeTheKernelVersionIsAsked() throws Exception {
        // A user on 6.12 with an unbound device gets the mistake they can mend, not "needs Linux 6.15".
        for (KernelVersion kernel : new KernelVersion[] {V6_12, V7_2, null}) {
            pretend(kernel);
            try (VfioDevice device = VfioDevice.openCdev(Path.of("/dev/null"), EDU)) {
                VfioException attach = assertThrows(VfioException.class, () -> device.attachPasid(5, 7));
                VfioException detach = assertThrows(VfioException.class, () -> device.detachPasid(5));
                for (VfioException e : new VfioException[] {attach, detach}) {
                    assertFalse(e instanceof VfioUnsupportedException, kernel + ": " + e.getMessage());
                    assertEquals(0, e.errno(), "refused before the ioctl on " + kernel + ": " + e.getMessage());
                    assertTrue(e.getMessage().contains("not bound to an iommufd"), e.getMessage());
                }
                assertEquals("VFIO_DEVICE_ATTACH_IOMMUFD_PT", attach.operation());
                assertTrue(attach.getMessage().startsWith("VFIO_DEVICE_ATTACH_IOMMUFD_PT(device 0000:00:04.0, pasid 5, pt 7)"),
                        attach.getMessage());
                assertEquals("VFIO_DEVICE_DETACH_IOMMUFD_PT", detach.operation());
                assertTrue(detach.getMessage().startsWith("VFIO_DEVICE_DETACH_IOMMUFD_PT(device 0000:00:04.0, pasid 5)"),
                        detach.getMessage());
            }
        }
    }

    @Test
    void pasidsOutside20BitsAndPasid0AreRefused() throws Exception {
        try (VfioDevice device = VfioDevice.openCdev(Path.of("/dev/null"), EDU)) {
            assertThrows(IllegalArgumentException.class, () -> device.attachPasid(-1, 7));
            assertThrows(IllegalArgumentException.class, () -> device.attachPasid(0, 7));
            assertThrows(IllegalArgumentException.class, () -> device.attachPasid(1 << 20, 7));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> device.detachPasid(1 << 20));
            assertTrue(e.getMessage().contains("1..1048575"), e.getMessage());
        }
    }
}
