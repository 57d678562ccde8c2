package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.EventFd;
import io.jvfio.VfioBusyException;
import io.jvfio.VfioException;
import io.jvfio.cli.demo.Edu;
import io.jvfio.it.GuestDevices;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import io.jvfio.vfio.EnabledIrq;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.PciConfigSpace;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioGroup;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Opening, closing, reopening; groups that are not viable; devices that are not in the group. */
@IntelIommuGuest
class VfioLifecycleTest {
    /** NVMe's Interrupt Mask Set register (BAR0 + 0x0c): reads back the mask; a controller reset clears it. */
    private static final int NVME_INTMS = 0x0c;

    /** Binds {@code device} to vfio-pci and opens its group in {@code container}, set to type1v2. */
    private static VfioGroup inType1Container(VfioContainer container, PciAddress device) throws VfioException {
        VfioGroup group = VfioGroup.open(GuestDevices.bindToVfio(device));
        try {
            group.setContainer(container);
            container.setType1v2();
            return group;
        } catch (VfioException | RuntimeException e) {
            try {
                group.close();
            } catch (VfioException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Test
    void closeAndReopenTheSameDevice() throws Exception {
        for (int round = 0; round < 2; round++) {
            try (VfioContainer container = VfioContainer.open();
                    VfioGroup group = inType1Container(container, GuestDevices.EDU)) {
                try (VfioDevice device = group.openDevice(GuestDevices.EDU); Mmio bar0 = device.mapBar(0)) {
                    assertEquals(0x010000ed, bar0.read32(Edu.ID));
                    device.close();
                    assertDoesNotThrow(device::close, "close is idempotent");
                }
                group.unsetContainer();
            }
        }
    }

    @Test
    void closingADeviceUnmapsItsBarsSoTheKernelReleasesIt() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.EDU)) {
            VfioDevice device = group.openDevice(GuestDevices.EDU);
            Mmio bar0 = device.mapBar(0);
            try {
                assertEquals(0x010000ed, bar0.read32(Edu.ID));
                device.close(); // bar0 left open: a mapping holds the device file, and with it the group's container
                assertThrows(IllegalStateException.class, () -> bar0.read32(Edu.ID), "the device's close unmapped its BAR");
                group.unsetContainer(); // EBUSY while the device is not released
            } finally {
                bar0.close(); // a no-op after the device's close
            }
        }
    }

    /** The kernel refuses a cdev's bind with an errno per holder; the hint named none of them. */
    @Test
    void aRefusedCdevBindNamesWhatHoldsTheDevice() throws Exception {
        int groupNumber = GuestDevices.bindToVfio(GuestDevices.EDU_BESIDE_VIRTIO);
        try (Iommufd iommufd = Iommufd.open(); VfioDevice device = VfioDevice.openCdev(GuestDevices.EDU_BESIDE_VIRTIO)) {
            VfioException e = assertThrows(VfioException.class, () -> device.bindIommufd(iommufd));
            assertEquals("EPERM", e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().contains("group " + groupNumber + " is not viable: 0000:00:08.0 is still bound to virtio-pci"),
                    e.getMessage());
        }
        GuestDevices.bindToVfio(GuestDevices.EDU);
        try (Iommufd iommufd = Iommufd.open(); VfioDevice first = VfioDevice.openCdev(GuestDevices.EDU);
                VfioDevice second = VfioDevice.openCdev(GuestDevices.EDU)) {
            first.bindIommufd(iommufd);
            VfioException e = assertThrows(VfioException.class, () -> second.bindIommufd(iommufd));
            assertEquals("EINVAL", e.errnoName(), e.getMessage());
            assertTrue(e.getMessage().contains("the device is bound already: by this handle, or through another open of its cdev"),
                    e.getMessage());
        }
    }

    @Test
    void aGroupWithADeviceOnAHostDriverIsNotViableAndSaysWhy() throws Exception {
        PciSysfs sysfs = PciSysfs.system();
        assertEquals("virtio-pci", sysfs.driver(GuestDevices.VIRTIO_RNG).orElse(""), "virtio-rng starts on its driver");
        int groupNumber = GuestDevices.bindToVfio(GuestDevices.EDU_BESIDE_VIRTIO);
        assertEquals(groupNumber, sysfs.iommuGroup(GuestDevices.VIRTIO_RNG).orElse(-1), "one group for both functions");
        try (VfioContainer container = VfioContainer.open(); VfioGroup group = VfioGroup.open(groupNumber)) {
            assertFalse(group.status().viable());
            VfioException e = assertThrows(VfioException.class, () -> group.setContainer(container));
            assertTrue(e.getMessage().contains("group " + groupNumber + " is not viable: 0000:00:08.0 is still bound to virtio-pci;"
                    + " unbind it or bind all devices of the group to vfio-pci"), e.getMessage());
        }
        String previous = sysfs.bindToVfioPci(GuestDevices.VIRTIO_RNG);
        try (VfioContainer container = VfioContainer.open(); VfioGroup group = VfioGroup.open(groupNumber)) {
            assertEquals("virtio-pci", previous);
            assertTrue(group.status().viable(), "viable once every function is on vfio-pci");
            group.setContainer(container);
            group.unsetContainer();
        } finally {
            sysfs.restoreDriver(GuestDevices.VIRTIO_RNG, previous);
        }
        assertEquals("virtio-pci", sysfs.driver(GuestDevices.VIRTIO_RNG).orElse(""), "virtio-rng is back on its driver");
    }

    @Test
    void aDeviceOutsideTheGroupAndAnUnknownDeviceGiveClearErrors() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.NVME);
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.EDU)) {
            VfioException e = assertThrows(VfioException.class, () -> group.openDevice(GuestDevices.NVME));
            assertEquals("VFIO_GROUP_GET_DEVICE_FD", e.operation());
            assertTrue(e.getMessage().contains("device " + GuestDevices.NVME), e.getMessage());
            group.unsetContainer();
        }
        VfioException unknown = assertThrows(VfioException.class,
                () -> PciSysfs.system().device(GuestDevices.ABSENT));
        assertTrue(unknown.getMessage().contains("no PCI device " + GuestDevices.ABSENT), unknown.getMessage());
        VfioException noGroup = assertThrows(VfioException.class, () -> VfioGroup.open(999));
        assertTrue(noGroup.getMessage().contains("group 999"), noGroup.getMessage());
    }

    @Test
    void nvmeRegionsAndMsixMatchSysfs() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.NVME)) {
            try (VfioDevice nvme = group.openDevice(GuestDevices.NVME)) {
                assertEquals(0x1b36, nvme.pciConfig().read16(PciConfigSpace.VENDOR_ID));
                assertTrue(nvme.irqInfo(PciIndex.MSIX).count() > 0, "QEMU's NVMe has MSI-X vectors");
                assertTrue(nvme.regionInfo(PciIndex.bar(0)).size() >= 8192);
                try (EventFd vector0 = EventFd.create(); EventFd vector1 = EventFd.create();
                        EnabledIrq msix = nvme.enableIrq(PciIndex.MSIX, vector0, vector1)) {
                    // No eventfds is refused: the kernel would change nothing and the result's close
                    // would tear down the vectors enabled above.
                    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                            () -> nvme.enableIrq(PciIndex.MSIX));
                    assertTrue(none.getMessage().contains("no eventfds given"), none.getMessage());
                    nvme.trigger(PciIndex.MSIX, 1);
                    assertEquals(1, vector1.await(10_000));
                    assertEquals(0, vector0.tryRead(), "only the fired vector signals");
                }
            }
            group.unsetContainer();
        }
    }

    @Test
    void aRegionAccessPastTheEndOfALongIsOutsideTheRegionAndAnIrqClosedAfterItsDeviceIsQuiet() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.NVME)) {
            // The device is closed before its IRQ on purpose; the resource close after is a no-op.
            try (EventFd vector0 = EventFd.create(); VfioDevice nvme = group.openDevice(GuestDevices.NVME)) {
                EnabledIrq msix = nvme.enableIrq(PciIndex.MSIX, vector0);
                // offset + length overflows a long: the library's range check must still see it.
                VfioException outside = assertThrows(VfioException.class,
                        () -> nvme.readRegion(PciIndex.bar(0), Long.MAX_VALUE - 1, 4));
                assertTrue(outside.getMessage().contains("outside the region"), outside.getMessage());
                nvme.close(); // its release tears the vectors down
                assertDoesNotThrow(msix::close, "the vectors went with the device");
            }
            group.unsetContainer();
        }
    }

    /** Calls in the wrong order or twice: the kernel says EBUSY or EINVAL, and the hint says which mistake. */
    @Test
    void callsTwiceOrInTheWrongOrderGetHintsThatNameTheMistake() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = VfioGroup.open(GuestDevices.bindToVfio(GuestDevices.EDU))) {
            VfioBusyException openAgain = assertThrows(VfioBusyException.class, () -> VfioGroup.open(group.number()));
            assertTrue(openAgain.getMessage().contains("the group is open already"), openAgain.getMessage());
            group.setContainer(container);
            container.setType1v2();
            VfioException modelAgain = assertThrows(VfioException.class, container::setType1v2);
            assertEquals("EINVAL", modelAgain.errnoName(), modelAgain.getMessage());
            assertTrue(modelAgain.getMessage().contains("takes one IOMMU model, once"), modelAgain.getMessage());
            try (VfioDevice edu = group.openDevice(GuestDevices.EDU); EventFd msiVector = EventFd.create();
                    EventFd intxVector = EventFd.create(); EnabledIrq msi = edu.enableIrq(PciIndex.MSI, msiVector)) {
                VfioException intx = assertThrows(VfioException.class, () -> edu.enableIrq(PciIndex.INTX, intxVector));
                assertEquals("EINVAL", intx.errnoName(), intx.getMessage());
                assertTrue(intx.getMessage().contains("MSI is enabled, and vfio-pci runs one IRQ type at a time"),
                        intx.getMessage());
            }
            group.unsetContainer();
            VfioException unsetAgain = assertThrows(VfioException.class, group::unsetContainer);
            assertEquals("EINVAL", unsetAgain.errnoName(), unsetAgain.getMessage());
            assertTrue(unsetAgain.getMessage().contains("the group is in no container"), unsetAgain.getMessage());
        }
    }

    /**
     * A cdev opened under another device's address would name the wrong device in every error and
     * ask sysfs about the wrong one (a virtual function's address turns the decode gate off): refused,
     * with the descriptor closed again.
     */
    @Test
    void aCdevOpenedUnderAnotherDevicesAddressIsRefused() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        GuestDevices.bindToVfio(GuestDevices.NVME);
        Path eduCdev = PciSysfs.system().vfioCdev(GuestDevices.EDU).orElseThrow();
        VfioException wrong = assertThrows(VfioException.class, () -> VfioDevice.openCdev(eduCdev, GuestDevices.NVME));
        assertTrue(wrong.getMessage().contains("this cdev belongs to " + GuestDevices.EDU + ", not to " + GuestDevices.NVME),
                wrong.getMessage());
        long fdsBefore = openFds(); // after the first refusal: what the JVM opens once (class loading) is open by now
        for (int i = 0; i < 20; i++) {
            assertThrows(VfioException.class, () -> VfioDevice.openCdev(eduCdev, GuestDevices.NVME));
        }
        assertEquals(fdsBefore, openFds(), "the descriptors are closed again");
        try (VfioDevice edu = VfioDevice.openCdev(eduCdev, GuestDevices.EDU)) {
            assertEquals(GuestDevices.EDU, edu.address());
        }
    }

    private static long openFds() throws Exception {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    /**
     * The kernel hands out a second fd for a device through its group, but a second handle would have
     * its own decode gate: clearing Memory Space through it would leave the first handle's BAR
     * unmapped under a gate that says it answers, and the next read would kill the JVM. Refused.
     */
    @Test
    void aDeviceOpenThroughItsGroupIsNotOpenedTwice() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.EDU)) {
            try (VfioDevice device = group.openDevice(GuestDevices.EDU); Mmio bar0 = device.mapBar(0)) {
                VfioBusyException again = assertThrows(VfioBusyException.class, () -> group.openDevice(GuestDevices.EDU));
                assertTrue(again.getMessage().contains("already open through this group as " + device), again.getMessage());
                assertEquals(0x010000ed, bar0.read32(Edu.ID), "the first handle still works");
            }
            try (VfioDevice reopened = group.openDevice(GuestDevices.EDU); Mmio bar0 = reopened.mapBar(0)) {
                assertEquals(0x010000ed, bar0.read32(Edu.ID), "once closed, the device opens again");
            }
            group.unsetContainer();
        }
    }

    /**
     * QEMU's NVMe controller has a function-level reset: vfio-pci offers it, and it really resets the
     * controller (the interrupt mask set in INTMS is gone) while the device stays usable.
     */
    @Test
    void nvmeResetsAndStaysUsable() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.NVME)) {
            try (VfioDevice nvme = group.openDevice(GuestDevices.NVME); Mmio bar0 = nvme.mapBar(0)) {
                assertTrue(nvme.info().supportsReset(), "vfio-pci offers a reset for QEMU's NVMe");
                bar0.write32(NVME_INTMS, 0x5);
                assertEquals(0x5, bar0.read32(NVME_INTMS), "INTMS holds the mask before the reset");
                nvme.reset();
                assertEquals(0, bar0.read32(NVME_INTMS), "the reset cleared the controller's interrupt mask");
                assertEquals(0x1b36, nvme.pciConfig().read16(PciConfigSpace.VENDOR_ID));
            }
            group.unsetContainer();
        }
    }

    /**
     * A reset re-reads the power state for the decode gate while a config write of COMMAND holds the
     * gate: both must take the device's lock before the gate's, or each waits for the other forever.
     * The write's thread is made to hold the device's lock (its first) until the reset waits for it.
     */
    @Test
    void aResetAndACommandWriteAtOnceBothFinish() throws Exception {
        try (VfioContainer container = VfioContainer.open();
                VfioGroup group = inType1Container(container, GuestDevices.NVME)) {
            VfioDevice nvme = group.openDevice(GuestDevices.NVME);
            boolean deadlocked = false;
            try {
                nvme.mapBar(0); // the gate learns the device's state; closed with the device
                PciConfigSpace config = nvme.pciConfig();
                int command = config.read16(PciConfigSpace.COMMAND);
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread reset = new Thread(() -> run(nvme::reset, failed), "reset");
                Thread write = new Thread(() -> {
                    synchronized (nvme) {
                        reset.start();
                        while (!waitsFor(threads, reset, nvme) && reset.isAlive()) {
                            Thread.onSpinWait();
                        }
                        run(() -> config.write16(PciConfigSpace.COMMAND, command), failed);
                    }
                }, "config write");
                reset.setDaemon(true);
                write.setDaemon(true);
                write.start();
                write.join(60_000);
                deadlocked = threads.findMonitorDeadlockedThreads() != null;
                assertFalse(deadlocked, "the reset and the config write wait for each other");
                reset.join(60_000);
                assertFalse(write.isAlive() || reset.isAlive(), "both finished");
                assertNull(failed.get(), "neither failed");
                assertEquals(0x1b36, config.read16(PciConfigSpace.VENDOR_ID));
            } finally {
                if (!deadlocked) { // the close would wait on the stuck threads' locks too
                    nvme.close();
                }
            }
            group.unsetContainer();
        }
    }

    /** Whether {@code thread} is blocked on {@code monitor}'s lock. */
    private static boolean waitsFor(ThreadMXBean threads, Thread thread, Object monitor) {
        ThreadInfo info = threads.getThreadInfo(thread.getId());
        LockInfo lock = info == null ? null : info.getLockInfo();
        return info != null && info.getThreadState() == Thread.State.BLOCKED && lock != null
                && lock.getIdentityHashCode() == System.identityHashCode(monitor);
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void run(Action action, AtomicReference<Throwable> failed) {
        try {
            action.run();
        } catch (Throwable e) {
            failed.compareAndSet(null, e);
        }
    }
}
