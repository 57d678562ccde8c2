package io.jvfio.it.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.KernelVersion;
import io.jvfio.cli.Main;
import io.jvfio.it.GuestCli;
import io.jvfio.it.GuestDevices;
import io.jvfio.it.IntelIommuGuest;
import io.jvfio.pci.PciSysfs;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioGroup;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The jvfio command against the guest's real devices and kernel. */
@IntelIommuGuest
class CliTest {
    @Test
    void listShowsTheGuestsDevicesGroupsAndViability() {
        GuestCli.Result r = GuestCli.run("list");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("0000:00:03.0  8086:10d3") && l.contains("e1000e")
                && l.contains("not viable")), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("0000:00:08.1  1234:11e8") && l.contains("not viable")), r.toString());
        GuestCli.Result json = GuestCli.run("list", "--json");
        assertTrue(json.out().contains("\"bdf\":\"0000:00:05.0\",\"vendor\":\"1b36\",\"device\":\"0010\""), json.toString());
    }

    @Test
    void infoShowsRegionsIrqsAndTheIommu() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        GuestCli.Result r = GuestCli.run("info", GuestDevices.EDU.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("VFIO device (cdev, iommufd device"), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("BAR0") && l.contains("size 0x100000") && l.contains("rwm")),
                r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.trim().startsWith("MSI") && l.contains("vector")), r.toString());
        assertTrue(r.out().contains("IOMMU hardware    Intel VT-d"), r.toString());
        assertTrue(r.out().contains("fault queues      yes"), r.toString());
    }

    @Test
    void bindAndUnbindGiveTheDeviceBackToItsDriver() throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        GuestCli.Result bound = GuestCli.run("bind", GuestDevices.E1000E.toString());
        assertEquals(0, bound.status(), bound.toString());
        assertTrue(bound.out().contains("bound to vfio-pci (was e1000e)"), bound.toString());
        assertEquals("vfio-pci", sysfs.driver(GuestDevices.E1000E).orElse(""));
        GuestCli.Result unbound = GuestCli.run("unbind", GuestDevices.E1000E.toString());
        assertEquals(0, unbound.status(), unbound.toString());
        assertTrue(unbound.out().contains("back on e1000e"), unbound.toString());
        assertEquals("e1000e", sysfs.driver(GuestDevices.E1000E).orElse(""));
    }

    /**
     * A bind killed between its sysfs writes (after the driver's unbind, before vfio-pci's probe) leaves
     * the device with no driver; unbind refused it as "not on vfio-pci", and a bind again recorded
     * "none" as the driver to give it back to.
     */
    @Test
    void aBindCutShortStillGivesTheDeviceBackToItsDriver() throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        Path vfioUnbind = Path.of("/sys/bus/pci/drivers/vfio-pci/unbind");
        try {
            assertEquals(0, GuestCli.run("bind", GuestDevices.E1000E.toString()).status());
            Files.writeString(vfioUnbind, GuestDevices.E1000E.toString()); // what the cut leaves: no driver
            GuestCli.Result again = GuestCli.run("bind", GuestDevices.E1000E.toString());
            assertEquals(0, again.status(), again.toString());
            assertTrue(again.out().contains("bound to vfio-pci (was e1000e before an earlier jvfio bind)"), again.toString());

            Files.writeString(vfioUnbind, GuestDevices.E1000E.toString());
            GuestCli.Result unbound = GuestCli.run("unbind", GuestDevices.E1000E.toString());
            assertEquals(0, unbound.status(), unbound.toString());
            assertTrue(unbound.out().contains("without a driver since jvfio bound it; back on e1000e"),
                    unbound.toString());
            assertEquals("e1000e", sysfs.driver(GuestDevices.E1000E).orElse(""));
        } finally {
            if (!sysfs.driver(GuestDevices.E1000E).orElse("").equals("e1000e")) {
                sysfs.reprobe(GuestDevices.E1000E);
            }
        }
    }

    @Test
    void bindRefusesANonViableGroupAndUnbindRefusesAnOpenDevice() throws Exception {
        GuestCli.Result refused = GuestCli.run("bind", GuestDevices.EDU_BESIDE_VIRTIO.toString());
        assertEquals(1, refused.status(), refused.toString());
        assertTrue(refused.err().contains("also holds 0000:00:08.0 (virtio-pci)"), refused.toString());
        GuestDevices.bindToVfio(GuestDevices.EDU);
        try (var device = io.jvfio.vfio.VfioDevice.openCdev(GuestDevices.EDU)) {
            GuestCli.Result busy = GuestCli.run("unbind", GuestDevices.EDU.toString());
            assertEquals(1, busy.status(), busy.toString());
            assertTrue(busy.err().contains("a process has it open"), busy.toString());
        }
    }

    /**
     * A device fd kept after its group was closed (the group set to iommufd's compatibility container,
     * where a device fd does not hold its group): the group opens as if free and the fd's /proc link
     * names no device, so an unbind went ahead and hung in vfio-pci's remove until the fd was closed.
     * Linux 6.18 names the device in fdinfo; before, any such fd refuses an unbind without --force.
     */
    @Test
    void unbindRefusesADeviceHeldOnlyThroughADeviceFdAndLetsOthersGo() throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        int groupNumber = GuestDevices.bindToVfio(GuestDevices.EDU);
        try (VfioContainer container = VfioContainer.open("/dev/iommu")) {
            VfioDevice device;
            try (VfioGroup group = VfioGroup.open(groupNumber)) {
                group.setContainer(container);
                container.setType1v2();
                device = group.openDevice(GuestDevices.EDU);
            }
            try (device) {
                assertFalse(VfioGroup.inUse(groupNumber, sysfs), "the group opens as if free");
                boolean named = Files.readString(Path.of("/proc/self/fdinfo/" + device.fd())).contains("vfio-device-syspath:");
                assertTrue(named || !KernelVersion.running().atLeast(6, 18), "fdinfo names the device since 6.18");
                // A hang guard, not a timing: an unbind let through waits for this test's own fd.
                GuestCli.Result busy = assertTimeoutPreemptively(Duration.ofSeconds(120),
                        () -> GuestCli.run("unbind", GuestDevices.EDU.toString()));
                assertEquals(1, busy.status(), busy.toString());
                assertTrue(busy.err().contains(named ? "holds a device fd of it" : "does not say of which device"), busy.toString());
                assertTrue(busy.err().contains("pid " + ProcessHandle.current().pid() + " "), busy.toString());
                assertEquals("vfio-pci", sysfs.driver(GuestDevices.EDU).orElse(""));

                GuestDevices.bindToVfio(GuestDevices.E1000E);
                if (!named) {
                    GuestCli.Result unsure = GuestCli.run("unbind", GuestDevices.E1000E.toString());
                    assertEquals(1, unsure.status(), unsure.toString());
                    assertTrue(unsure.err().contains("pass --force if it holds another device"), unsure.toString());
                }
                GuestCli.Result other = named ? GuestCli.run("unbind", GuestDevices.E1000E.toString())
                        : GuestCli.run("unbind", "--force", GuestDevices.E1000E.toString());
                assertEquals(0, other.status(), other.toString());
                assertEquals("e1000e", sysfs.driver(GuestDevices.E1000E).orElse(""));
            }
        } finally {
            if (!sysfs.driver(GuestDevices.E1000E).orElse("").equals("e1000e")) {
                sysfs.reprobe(GuestDevices.E1000E);
            }
        }
    }

    @Test
    void serveOnADeviceTheTableMarksNonePinsAndMapsAllMemoryAndSaysSo() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        GuestCli.Result r = GuestCli.run("serve", "--device", GuestDevices.EDU.toString(), "--memory", "16M", "--duration", "0.5");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("0000:00:04.0: 1234:11e8 is NONE (built-in table): it cannot take faults"), r.toString());
        assertTrue(r.out().contains("pinned and mapped all 16M of guest memory at IOVA 0x40000000 before attaching 0000:00:04.0;"
                + " no fault queue"), r.toString());
        assertTrue(r.out().contains("served no faults: all 16,777,216 bytes of guest memory stayed pinned and mapped"), r.toString());
    }

    /**
     * An unbind of a device that serve holds waits in vfio-pci's remove until serve closes it; the
     * kernel asks through the device's REQ interrupt, which serve takes as a stop.
     */
    @Test
    void serveGivesTheDeviceBackWhenTheKernelAsksForIt() throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        GuestDevices.bindToVfio(GuestDevices.EDU);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> serving = CompletableFuture.supplyAsync(() -> Main.run(new String[] {"serve", "--device",
                GuestDevices.EDU.toString(), "--memory", "16M", "--duration", "100"}, new PrintWriter(out, true), new PrintWriter(err, true)));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120); // a hang guard
            while (!out.toString().contains("pinned and mapped all") && !serving.isDone() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(serving.isDone(), "serve ended before the unbind: " + out + err);
            // A hang guard, not a timing: unheard, the unbind waits until serve's --duration is up.
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> sysfs.unbind(GuestDevices.EDU));
            assertEquals(0, serving.get(60, TimeUnit.SECONDS), out + "\n" + err);
            assertTrue(out.toString().contains(GuestDevices.EDU + ": the kernel asks for the device back"), out.toString());
            assertEquals("", sysfs.driver(GuestDevices.EDU).orElse(""));
        } finally {
            try {
                serving.get(120, TimeUnit.SECONDS); // serve must be gone before the next test; a failure above says why
            } catch (Exception ignored) {
                // The assertion that failed, or serve's own status, is the news.
            }
            GuestDevices.bindToVfio(GuestDevices.EDU);
        }
    }

    @Test
    void serveOnADeviceThatIsNotThereIsABadArgument() {
        GuestCli.Result r = GuestCli.run("serve", "--device", GuestDevices.ABSENT.toString(), "--memory", "16M", "--duration", "0.5");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("--device " + GuestDevices.ABSENT + ": no PCI device"), r.toString());
    }

    @Test
    void serveOnADeviceWithoutPriSaysWhyItWillNotDemandFaultIt() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        Path policies = Files.writeString(Files.createTempFile("jvfio-policies", ".conf"), "1234:11e8 = ARBITRARY_FAULTS\n");
        try {
            GuestCli.Result r = GuestCli.run("serve", "--device", GuestDevices.EDU.toString(), "--memory", "16M", "--duration", "0.5",
                    "--policies", policies.toString());
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().contains("1234:11e8 is ARBITRARY_FAULTS (" + policies + "), but it has no PRI capability in its"
                    + " config space: it cannot issue page requests, so it will not be demand-faulted"), r.toString());
            assertTrue(r.out().contains("pinned and mapped all 16M of guest memory"), r.toString());
        } finally {
            Files.delete(policies);
        }
    }

    /**
     * serve on a real device attached to a faulting paging table: 7.2 makes the table and then refuses
     * edu, which has no PRI; 6.12 refuses the table and names 6.13. Both exit 3 (no fault path here).
     */
    @Test
    void serveForcedPastThePriCheckGetsTheKernelsHonestRefusalAndExits3() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        Path policies = Files.writeString(Files.createTempFile("jvfio-policies", ".conf"), "1234:11e8 = ARBITRARY_FAULTS\n");
        try {
            GuestCli.Result r = GuestCli.run("serve", "--device", GuestDevices.EDU.toString(), "--memory", "16M", "--duration", "0.5",
                    "--policies", policies.toString(), "--skip-pri-check");
            assertEquals(3, r.status(), r.toString());
            if (KernelVersion.running().atLeast(6, 13)) {
                assertTrue(r.err().contains("VFIO_DEVICE_ATTACH_IOMMUFD_PT") && r.err().contains("ENODEV")
                        && r.err().contains(GuestDevices.EDU + " has no PRI capability in its config space"), r.toString());
            } else {
                assertTrue(r.err().contains("IOMMU_HWPT_ALLOC") && r.err().contains("Linux 6.13"), r.toString());
            }
            GuestCli.Result again = GuestCli.run("serve", "--device", GuestDevices.EDU.toString(), "--memory", "16M", "--duration", "0.5");
            assertEquals(0, again.status(), "the refused serve left edu free: " + again);
        } finally {
            Files.delete(policies);
        }
    }

    @Test
    void doctorFindsAWorkingVfioSetup() {
        GuestCli.Result r = GuestCli.run("doctor");
        assertTrue(r.out().contains("[ok  ] IOMMU") && r.out().contains("[ok  ] fault queues"), r.toString());
        assertTrue(r.out().contains("[ok  ] legacy container") && r.out().contains("[ok  ] iommufd"), r.toString());
    }
}
