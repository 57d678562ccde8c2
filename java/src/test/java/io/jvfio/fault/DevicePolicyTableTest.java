package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.testfixtures.FakeSysfs;
import io.jvfio.pci.PciCapabilities;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicePolicyTableTest {
    @TempDir
    Path dir;

    @Test
    void theShippedTableLoadsAndUnlistedDevicesArePinned() {
        DevicePolicyTable t = DevicePolicyTable.builtIn();
        assertEquals(DeviceFaultMode.NONE, t.mode(0x1234, 0x11e8));
        DevicePolicyTable.Verdict unknown = t.verdict(0xabcd, 0x0001);
        assertEquals(DeviceFaultMode.NONE, unknown.mode());
        assertTrue(unknown.source().startsWith("default"), unknown.source());
    }

    @Test
    void aUserFileOverridesAndSaysWhereTheVerdictCameFrom() throws Exception {
        Path f = Files.writeString(dir.resolve("policies.conf"), "# lab devices\n1234:11E8 = arbitrary_faults  # edu\n\n15b3:101d = SELECTIVE\n");
        DevicePolicyTable t = DevicePolicyTable.withOverrides(f);
        assertEquals(new DevicePolicyTable.Verdict(DeviceFaultMode.ARBITRARY_FAULTS, f.toString()), t.verdict(0x1234, 0x11e8));
        assertEquals(DeviceFaultMode.SELECTIVE, t.mode(0x15b3, 0x101d));
        assertEquals(DeviceFaultMode.NONE, t.mode(0x8086, 0x10d3), "built-in entries stay");
    }

    @Test
    void badLinesNameTheFileAndLine() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.conf"), "1234:11e8 = NONE\nnonsense\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevicePolicyTable.withOverrides(f));
        assertTrue(e.getMessage().startsWith(f + ":2: expected 'vendor:device = MODE'"), e.getMessage());
        Path mode = Files.writeString(dir.resolve("mode.conf"), "1234:11e8 = SOMETIMES\n");
        e = assertThrows(IllegalArgumentException.class, () -> DevicePolicyTable.withOverrides(mode));
        assertTrue(e.getMessage().contains(":1: unknown mode 'SOMETIMES'"), e.getMessage());
        Path ids = Files.writeString(dir.resolve("ids.conf"), "12345:1 = NONE\n");
        e = assertThrows(IllegalArgumentException.class, () -> DevicePolicyTable.withOverrides(ids));
        assertTrue(e.getMessage().contains("is not vendor:device in hex"), e.getMessage());
    }

    @Test
    void aDeviceListedTwiceInOneFileIsRefusedNamingBothLines() throws Exception {
        Path f = Files.writeString(dir.resolve("dup.conf"), "1234:11e8 = NONE\n# pasted later\n1234:11E8 = ARBITRARY_FAULTS\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DevicePolicyTable.withOverrides(f));
        assertEquals(f + ":3: 1234:11e8 is already listed on line 1; list each device once", e.getMessage());
    }

    @Test
    void aByteOrderMarkBeforeTheFirstLineIsSkipped() throws Exception {
        Path f = Files.writeString(dir.resolve("bom.conf"), "\uFEFF1234:11e8 = ARBITRARY_FAULTS\n");
        assertEquals(DeviceFaultMode.ARBITRARY_FAULTS, DevicePolicyTable.withOverrides(f).mode(0x1234, 0x11e8));
    }

    @Test
    void aDeviceWithoutPriIsPinnedWhateverTheTableSaysAndSaysWhy() throws Exception {
        Path f = Files.writeString(dir.resolve("policies.conf"), "1234:11e8 = ARBITRARY_FAULTS\n15b3:101d = SELECTIVE\n");
        DevicePolicyTable t = DevicePolicyTable.withOverrides(f);
        PciCapabilities noPri = PciCapabilities.parse(new byte[4096]);
        PciCapabilities pri = PciCapabilities.parse(FakeSysfs.configWithFaultCapabilities());

        DevicePolicyTable.Decision d = t.decide(0x1234, 0x11e8, noPri, false);
        assertEquals(DeviceFaultMode.NONE, d.mode());
        assertEquals("1234:11e8 is ARBITRARY_FAULTS (" + f + "), but it has no PRI capability in its config space: it cannot"
                + " issue page requests, so it will not be demand-faulted", d.reason());
        assertEquals(DeviceFaultMode.ARBITRARY_FAULTS, t.decide(0x1234, 0x11e8, pri, false).mode());
    }

    @Test
    void noneStaysNoneAndSelectiveNeedsAMediator() throws Exception {
        Path f = Files.writeString(dir.resolve("policies.conf"), "15b3:101d = SELECTIVE\n");
        DevicePolicyTable t = DevicePolicyTable.withOverrides(f);
        PciCapabilities pri = PciCapabilities.parse(FakeSysfs.configWithFaultCapabilities());

        DevicePolicyTable.Decision none = t.decide(0x1234, 0x11e8, pri, true);
        assertEquals(new DevicePolicyTable.Decision(DeviceFaultMode.NONE, "1234:11e8 is NONE (built-in table): it cannot take faults"), none);
        DevicePolicyTable.Decision unmediated = t.decide(0x15b3, 0x101d, pri, false);
        assertEquals(DeviceFaultMode.NONE, unmediated.mode());
        assertTrue(unmediated.reason().endsWith("but no mediator names the ranges it must never fault on"), unmediated.reason());
        assertEquals(DeviceFaultMode.SELECTIVE, t.decide(0x15b3, 0x101d, pri, true).mode());
        assertEquals(DeviceFaultMode.NONE, t.decide(0xabcd, 0x0001, pri, true).mode(), "unlisted devices are not opted in");
    }

    @Test
    void withThePriCheckOffADeviceWithoutPriKeepsTheTablesModeButNeverNoneOrAnUnmediatedSelective() throws Exception {
        Path f = Files.writeString(dir.resolve("policies.conf"), "1234:11e8 = ARBITRARY_FAULTS\n15b3:101d = SELECTIVE\n");
        DevicePolicyTable t = DevicePolicyTable.withOverrides(f);
        PciCapabilities noPri = PciCapabilities.parse(new byte[4096]);

        DevicePolicyTable.Decision d = t.decide(0x1234, 0x11e8, noPri, false, false);
        assertEquals(DeviceFaultMode.ARBITRARY_FAULTS, d.mode());
        assertEquals("1234:11e8 is ARBITRARY_FAULTS (" + f + ") and has no PRI capability in its config space, but the PRI"
                + " check is off: it is attached to a faulting page table anyway", d.reason());
        assertEquals(DeviceFaultMode.SELECTIVE, t.decide(0x15b3, 0x101d, noPri, true, false).mode());
        DevicePolicyTable.Decision unmediated = t.decide(0x15b3, 0x101d, noPri, false, false);
        assertEquals(DeviceFaultMode.NONE, unmediated.mode(), "still needs its mediator");
        assertTrue(unmediated.reason().contains("no mediator"), "the reason is the mediator, not PRI: " + unmediated.reason());
        assertEquals(DeviceFaultMode.NONE, t.decide(0xabcd, 0x0001, noPri, true, false).mode(), "unlisted devices stay out");
    }
}
