package io.jvfio.pci;

import io.jvfio.testfixtures.FakeSysfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The capability walks over config-space fixtures, including the garbage a device may return. */
class PciCapabilitiesTest {
    private static byte[] standardList() {
        byte[] c = new byte[256];
        c[0x06] = 0x10;
        c[0x34] = 0x40;
        c[0x40] = PciCapabilities.CAP_MSI;
        c[0x41] = 0x60;
        c[0x60] = PciCapabilities.CAP_EXP;
        c[0x61] = 0x00;
        return c;
    }

    @Test
    void theStandardListIsWalked() {
        PciCapabilities caps = PciCapabilities.parse(standardList());
        assertEquals(List.of(new PciCapabilities.Capability(0x05, 0x40), new PciCapabilities.Capability(0x10, 0x60)), caps.standard());
        assertTrue(caps.isExpress());
        assertTrue(caps.extended().isEmpty(), "256 bytes have no extended space");
    }

    @Test
    void aStandardListThatLoopsEnds() {
        byte[] c = standardList();
        c[0x61] = 0x40;
        assertEquals(2, PciCapabilities.parse(c).standard().size());
    }

    @Test
    void theExtendedListReportsAtsPriPasid() {
        PciCapabilities caps = PciCapabilities.parse(FakeSysfs.configWithFaultCapabilities());
        assertEquals(3, caps.extended().size());
        assertEquals("ATS PRI PASID(20)", caps.faultCapabilities());
    }

    @Test
    void anExtendedListThatLoopsOrPointsOutsideEnds() {
        byte[] c = new byte[4096];
        FakeSysfs.putU32(c, 0x100, 0x0d | 1 << 16 | 0x100 << 20);
        assertEquals(1, PciCapabilities.parse(c).extended().size());
        assertTrue(PciCapabilities.parse(c).acs());
        FakeSysfs.putU32(c, 0x100, 0x0f | 1 << 16 | 0xffc << 20);
        assertEquals(1, PciCapabilities.parse(c).extended().size(), "0xffc + 4 is the end of config space");
    }

    @Test
    void allOnesMeansTheDeviceIsGone() {
        byte[] c = new byte[4096];
        java.util.Arrays.fill(c, (byte) 0xff);
        PciCapabilities caps = PciCapabilities.parse(c);
        assertTrue(caps.extended().isEmpty());
        assertFalse(caps.pri());
        assertEquals("-", PciCapabilities.parse(new byte[0]).faultCapabilities());
    }
}
