package io.jvfio.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PciAddressTest {
    @Test
    void parsesWithAndWithoutDomain() {
        assertEquals(new PciAddress(0, 0, 4, 0), PciAddress.parse("0000:00:04.0"));
        assertEquals(new PciAddress(0, 0x3a, 0x1f, 7), PciAddress.parse("3a:1f.7"));
        assertEquals(new PciAddress(0x10000, 1, 0, 1), PciAddress.parse("10000:01:00.1"));
        assertEquals("0000:3a:1f.7", PciAddress.parse(" 3A:1F.7 ").toString());
    }

    @Test
    void badInputNamesItselfAndTheExpectedForm() {
        for (String bad : new String[] {"", "00:04", "0000:00:04.8", "0000:00:04.0x", "zz:00.0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PciAddress.parse(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "' is not a PCI address"), e.getMessage());
        }
        IllegalArgumentException device = assertThrows(IllegalArgumentException.class, () -> PciAddress.parse("00:20.0"));
        assertTrue(device.getMessage().contains("device 20 is above 1f"), device.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PciAddress.parse(null));
    }

    @Test
    void sortsByDomainBusDeviceFunction() {
        List<PciAddress> list = new ArrayList<>(List.of(PciAddress.parse("0001:00:00.0"), PciAddress.parse("00:1f.3"),
                PciAddress.parse("00:04.0"), PciAddress.parse("00:1f.0")));
        list.sort(null);
        assertEquals("[0000:00:04.0, 0000:00:1f.0, 0000:00:1f.3, 0001:00:00.0]", list.toString());
    }

    @Test
    void classNames() {
        assertEquals("network controller", PciClass.describe(0x020000));
        assertEquals("storage controller", PciClass.describe(0x010802));
    }
}
