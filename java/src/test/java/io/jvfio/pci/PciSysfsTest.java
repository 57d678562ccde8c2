package io.jvfio.pci;

import io.jvfio.testfixtures.FakeSysfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sysfs discovery and the viability explanation, against a fake tree. */
class PciSysfsTest {
    @TempDir
    Path root;

    PciSysfs sysfs;

    @BeforeEach
    void tree() throws Exception {
        sysfs = new FakeSysfs(root)
                .device("0000:00:03.0", 0x8086, 0x10d3, 0x020000, 7, "e1000e", new byte[256])
                .device("0000:00:03.1", 0x1234, 0x11e8, 0x00ff00, 7, "vfio-pci", new byte[64])
                .device("0000:00:04.0", 0x1234, 0x11e8, 0x00ff00, 3, "", FakeSysfs.configWithFaultCapabilities())
                .sysfs();
    }

    @Test
    void devicesAreListedSortedWithIdsDriverAndGroup() throws Exception {
        List<PciDeviceInfo> all = sysfs.devices();
        assertEquals(3, all.size());
        PciDeviceInfo nic = all.get(0);
        assertEquals(PciAddress.parse("00:03.0"), nic.address());
        assertEquals("8086:10d3", nic.ids());
        assertEquals("network controller", nic.className());
        assertEquals(Optional.of("e1000e"), nic.driver());
        assertEquals(OptionalInt.of(7), nic.iommuGroup());
        assertEquals(Optional.empty(), all.get(2).driver());
        assertEquals(List.of(PciAddress.parse("00:03.0"), PciAddress.parse("00:03.1")), sysfs.groupDevices(7));
    }

    @Test
    void aMissingDeviceNamesItselfAndWhereItLooked() {
        VfioException e = assertThrows(VfioException.class, () -> sysfs.device(PciAddress.parse("00:1e.0")));
        assertTrue(e.getMessage().contains("no PCI device 0000:00:1e.0") && e.getMessage().contains("lspci -D"), e.getMessage());
    }

    @Test
    void aFileThatIsNotThereIsNamedWithItsErrno() throws Exception {
        Files.delete(root.resolve("sys/devices/pci0000:00/0000:00:04.0/config"));
        VfioException config = assertThrows(VfioException.class, () -> sysfs.readConfig(PciAddress.parse("00:04.0")));
        assertTrue(config.getMessage().contains("cannot read config space: ENOENT (no such file: "), config.getMessage());
        VfioException group = assertThrows(VfioException.class, () -> sysfs.groupDevices(99));
        assertTrue(group.getMessage().contains("no IOMMU group 99"), group.getMessage());
    }

    @Test
    void viabilityNamesTheDeviceOnAHostDriver() throws Exception {
        assertEquals(List.of("0000:00:03.0 is still bound to e1000e"), GroupViability.offenders(7, sysfs));
        assertEquals("group 7 is not viable: 0000:00:03.0 is still bound to e1000e; unbind it or bind all devices of the"
                + " group to vfio-pci", GroupViability.explain(7, sysfs));
        assertTrue(GroupViability.offenders(3, sysfs).isEmpty(), "an unbound device does not spoil its group");
    }

    @Test
    void configSpaceGivesTheFaultCapabilities() throws Exception {
        PciCapabilities caps = PciCapabilities.parse(sysfs.readConfig(PciAddress.parse("00:04.0")));
        assertTrue(caps.ats() && caps.pri() && caps.pasid());
        assertEquals(20, caps.maxPasidWidth());
    }

    /** A VFIO cdev's sysfs directory sits under its PCI device's: /sys/dev/char/MAJOR:MINOR leads there. */
    @Test
    void theDeviceOfAVfioCdevIsFoundFromItsCharDeviceNumber() throws Exception {
        Path vfio = Files.createDirectories(root.resolve("sys/devices/pci0000:00/0000:00:04.0/vfio-dev/vfio3"));
        Files.createSymbolicLink(vfio.resolve("device"), Path.of("../.."));
        Path chars = Files.createDirectories(root.resolve("sys/dev/char"));
        Files.createSymbolicLink(chars.resolve("511:3"), vfio);
        Files.createSymbolicLink(chars.resolve("10:183"), root.resolve("sys/devices/pci0000:00/0000:00:03.0"));
        assertEquals(Optional.of(PciAddress.parse("0000:00:04.0")), sysfs.deviceOfVfioCdev(511, 3));
        assertEquals(Optional.empty(), sysfs.deviceOfVfioCdev(10, 183), "not a VFIO cdev");
        assertEquals(Optional.empty(), sysfs.deviceOfVfioCdev(511, 4), "no such device number");
    }

    /** A kernel without VFIO cdevs still lists vfio-dev/vfioN, but with no device number: there is no cdev to open. */
    @Test
    void aVfioCdevNeedsADeviceNumber() throws Exception {
        PciAddress edu = PciAddress.parse("0000:00:04.0");
        Path vfio = Files.createDirectories(root.resolve("sys/devices/pci0000:00/0000:00:04.0/vfio-dev/vfio3"));
        assertEquals(Optional.empty(), sysfs.vfioCdev(edu));
        Files.writeString(vfio.resolve("dev"), "511:3\n");
        assertEquals(Optional.of(root.resolve("dev/vfio/devices/vfio3")), sysfs.vfioCdev(edu));
    }

    @Test
    void cdevAndGroupNodesLiveUnderDev() {
        assertEquals(root.resolve("dev/vfio/7"), sysfs.vfioGroupNode(7));
    }

    @Test
    void aSymlinkedAttributeIsRefusedAndTheFileItPointsAtIsUntouched() throws Exception {
        Path victim = Files.writeString(root.resolve("precious"), "precious\n");
        Path override = root.resolve("sys/devices/pci0000:00/0000:00:04.0/driver_override");
        Files.delete(override);
        Files.createSymbolicLink(override, victim);
        VfioException e = assertThrows(VfioException.class, () -> sysfs.bindToVfioPci(PciAddress.parse("00:04.0")));
        assertEquals("precious\n", Files.readString(victim), "root's write went through the symlink");
        assertTrue(e.getMessage().contains("driver_override is a symbolic link"), e.getMessage());
    }

    @Test
    void aDeviceVfioPciDoesNotTakeGoesBackToItsDriverAndTheErrorSaysWhich() throws Exception {
        // The fake kernel binds nothing on a probe: vfio-pci never takes 00:03.0, as on a machine with the IOMMU off.
        Path device = root.resolve("sys/devices/pci0000:00/0000:00:03.0");
        VfioException e = assertThrows(VfioException.class, () -> sysfs.bindToVfioPci(PciAddress.parse("00:03.0")));
        assertTrue(e.getMessage().contains("vfio-pci did not take the device") && e.getMessage().contains("given back to e1000e"),
                e.getMessage());
        // sysfs takes a write at offset 0 whole; the fake file keeps the tail of "vfio-pci".
        assertTrue(Files.readString(device.resolve("driver_override")).startsWith("\n"), "the override would keep e1000e off it");
        assertEquals(0, e.getSuppressed().length, "e1000e is back: " + java.util.Arrays.toString(e.getSuppressed()));
    }

    @Test
    void aMissingAttributeIsNotCreated() throws Exception {
        Path probe = root.resolve("sys/bus/pci/drivers_probe");
        Files.delete(probe);
        VfioException e = assertThrows(VfioException.class, () -> sysfs.reprobe(PciAddress.parse("00:03.1")));
        assertTrue(!Files.exists(probe), "the write created " + probe);
        assertTrue(e.getMessage().contains(probe + " does not exist"), e.getMessage());
    }

    @Test
    void anAttributeIsWrittenInPlaceWithoutTruncating() throws Exception {
        Path override = root.resolve("sys/devices/pci0000:00/0000:00:04.0/driver_override");
        Files.writeString(override, "0123456789\n");
        sysfs.unbind(PciAddress.parse("00:04.0"));
        assertEquals("\n123456789\n", Files.readString(override), "sysfs takes one write at offset 0; nothing is truncated");
    }
}
