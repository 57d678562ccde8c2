package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.pci.PciAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** GuestDevice's addresses are the harness's: each device's line in guest-exec.sh puts its functions there. */
class GuestDeviceTest {
    private static final Pattern CASE_LINE = Pattern.compile("^\\s*([a-z0-9-]+)\\) device_args\\+=\\((.*)\\) ;;$",
            Pattern.MULTILINE);
    private static final Pattern DEVICE = Pattern.compile("-device ([a-z0-9-]+),(?:\\S*,)?addr=([0-9a-f]{2}\\.[0-7])");

    @Test
    void everyDeviceIsWhereGuestExecPutsIt() throws IOException {
        String script = Files.readString(HarnessHome.guestExec(HarnessHome.find(Map.of())));
        Matcher line = CASE_LINE.matcher(script);
        int devices = 0;
        while (line.find()) {
            GuestDevice device = GuestDevice.valueOf(line.group(1).toUpperCase().replace('-', '_'));
            Matcher d = DEVICE.matcher(line.group(2));
            Set<GuestDevice.Function> functions = new HashSet<>();
            while (d.find()) {
                functions.add(new GuestDevice.Function(d.group(1), PciAddress.parse("00:" + d.group(2))));
            }
            // In any order: the function a test drives is first in GuestDevice, not always in the script.
            assertEquals(Set.copyOf(device.functions()), functions, line.group());
            assertTrue(script.contains(device.harnessName()), device.harnessName());
            devices++;
        }
        assertEquals(GuestDevice.values().length, devices, "devices in guest-exec.sh's case");
        assertTrue(script.contains("devices=e1000e,edu,nvme,non-viable-pair "), "every device by default");
    }

    @Test
    void aClassGetsTheAddressesOfTheDevicesItAskedForAndNoOthers() {
        VfioGuestDevices devices = new VfioGuestDevices(List.of(GuestDevice.NVME, GuestDevice.EDU), "EduTest");

        assertEquals(PciAddress.parse("0000:00:04.0"), devices.address(GuestDevice.EDU));
        assertEquals(PciAddress.parse("0000:00:05.0"), devices.address(GuestDevice.NVME));
        assertEquals(List.of(GuestDevice.EDU, GuestDevice.NVME), List.copyOf(devices.requested()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> devices.address(GuestDevice.E1000E));
        assertEquals("E1000E is not among the devices EduTest asks for in its @VfioGuest ([EDU, NVME]): add it to"
                + " @VfioGuest(devices = ...)", e.getMessage());
    }
}
