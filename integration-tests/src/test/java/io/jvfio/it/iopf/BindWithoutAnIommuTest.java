package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.it.GuestDevices;
import io.jvfio.pci.PciSysfs;
import org.junit.jupiter.api.Test;

/**
 * This guest boots with intel_iommu=off, as a machine with the IOMMU off in its firmware: no device
 * has an IOMMU group, so vfio-pci takes none. A bind must leave the device on the driver it had.
 */
@MockIommuGuest
class BindWithoutAnIommuTest {
    @Test
    void aDeviceVfioPciRefusesGoesBackToItsDriver() throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        assertEquals("e1000e", sysfs.driver(GuestDevices.E1000E).orElse(""), "the NIC starts on its driver");
        VfioException refused = assertThrows(VfioException.class, () -> sysfs.bindToVfioPci(GuestDevices.E1000E));
        assertTrue(refused.getMessage().contains("given back to e1000e"), refused.getMessage());
        assertEquals("e1000e", sysfs.driver(GuestDevices.E1000E).orElse(""), "the NIC is back on its driver");
    }
}
