package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A @VfioGuest class that boots a real guest, so the host build leaves it out (its name matches none
 * of Surefire's patterns). To run it under QEMU and see its results on the host:
 * <pre>mvn -pl java,testing test -Djvfio.guest.skip=true -Dtest=EduGuestExample -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
@VfioGuest(devices = {GuestDevice.EDU, GuestDevice.NON_VIABLE_PAIR})
class EduGuestExample {
    @Test
    void runsInAGuestTheHarnessBooted() throws Exception {
        assertTrue(Files.readString(Path.of("/proc/cmdline")).contains("jvfio.run="));
    }

    @Test
    void eduBindsToVfioPciInAGroupOfItsOwn(VfioGuestDevices devices) throws Exception {
        PciAddress edu = devices.address(GuestDevice.EDU);
        PciSysfs sysfs = PciSysfs.system();
        assertEquals("1234:11e8", sysfs.device(edu).ids());
        sysfs.bindToVfioPci(edu);
        int group = sysfs.iommuGroup(edu).orElseThrow();
        assertEquals(List.of(edu), sysfs.groupDevices(group));
        assertTrue(Files.exists(sysfs.vfioGroupNode(group)), () -> sysfs.vfioGroupNode(group) + " is missing");
    }

    @Test
    void theNonViablePairSharesOneGroup(VfioGuestDevices devices) throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        int group = sysfs.iommuGroup(devices.address(GuestDevice.NON_VIABLE_PAIR)).orElseThrow();
        assertEquals(GuestDevice.NON_VIABLE_PAIR.functions().stream().map(GuestDevice.Function::address).sorted().toList(),
                sysfs.groupDevices(group).stream().sorted().toList());
    }
}
