package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.Jvfio;
import io.jvfio.it.GuestDevices;
import io.jvfio.pci.PciSysfs;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The guest is what the other tests assume: the native library loads, the devices and nodes exist. */
@IntelIommuGuest
class GuestEnvironmentTest {
    @Test
    void nativeLibraryLoadsInTheGuest() {
        assertTrue(Jvfio.isAvailable(), () -> "unavailable: " + Jvfio.unavailabilityCause());
    }

    @Test
    void vfioAndIommufdNodesExist() {
        assertTrue(Files.exists(Path.of("/dev/vfio/vfio")), "/dev/vfio/vfio");
        assertTrue(Files.exists(Path.of("/dev/iommu")), "/dev/iommu");
    }

    @Test
    void eduIsWhereTheHarnessPutItWithAnIommuGroup() throws Exception {
        var edu = PciSysfs.system().device(GuestDevices.EDU);
        assertEquals("1234:11e8", edu.ids());
        assertTrue(edu.iommuGroup().isPresent(), "edu has an IOMMU group under the vIOMMU");
    }
}
