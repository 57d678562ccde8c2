package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioUnsupportedException;
import io.jvfio.cli.demo.Edu;
import io.jvfio.fault.DeviceFaultMode;
import io.jvfio.fault.DevicePolicyTable;
import io.jvfio.fault.FaultMediator;
import io.jvfio.fault.FaultServer;
import io.jvfio.it.GuestDevices;
import io.jvfio.KernelVersion;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.VfioDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library's FaultServer on a real device the policy table will not demand-fault: edu is NONE in
 * the built-in table and has no PRI, so all its memory is pinned and mapped before it runs, which
 * its DMA engine proves by copying through it; forced onto a faulting table, the kernel refuses it.
 */
@IntelIommuGuest
class FaultServerEduTest {
    private static final long IOVA = 0x100000;

    @Test
    void aDeviceMarkedNoneGetsAllMemoryPinnedAndMappedAndNoFaultQueue() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        try (DmaBuffer memory = DmaBuffer.allocate(64 * 1024)) {
            try (FaultServer server = FaultServer.forDevice(GuestDevices.EDU).memory(memory).iova(IOVA).open()) {
                assertEquals(new DevicePolicyTable.Decision(DeviceFaultMode.NONE,
                        "1234:11e8 is NONE (built-in table): it cannot take faults"), server.decision());
                assertEquals(List.of(IovaRange.ofLength(IOVA, memory.size())), server.pinned());
                assertTrue(server.faultable().isEmpty() && server.loop().isEmpty() && server.demandMap().isEmpty());
                server.start();
                roundTrip(server.device().orElseThrow(), memory, IOVA + 0x8000);
            }
        }
    }

    @Test
    void aDeviceWithoutPriIsNotDemandFaultedEvenWhenTheUserOptsItIn() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        Path policies = Files.writeString(Files.createTempFile("jvfio-policies", ".conf"), "1234:11e8 = ARBITRARY_FAULTS\n");
        try (DmaBuffer memory = DmaBuffer.allocate(64 * 1024);
             FaultServer server = FaultServer.forDevice(GuestDevices.EDU).memory(memory).iova(IOVA)
                     .policies(DevicePolicyTable.withOverrides(policies)).open()) {
            assertEquals(DeviceFaultMode.NONE, server.decision().mode());
            assertTrue(server.decision().reason().contains("no PRI capability in its config space"), server.decision().reason());
            assertTrue(server.loop().isEmpty());
            roundTrip(server.device().orElseThrow(), memory, IOVA);
        } finally {
            Files.delete(policies);
        }
    }

    /**
     * The SELECTIVE path with a mediator, forced past the PRI check onto a faulting paging table. On
     * 6.13+ the mediator is asked once, with the open device and guest memory, and its range is pinned;
     * then the kernel refuses to attach edu, which has no PRI, and the error says so. On 6.12 the
     * faulting paging table itself is refused, naming 6.13, before the mediator is asked. Either way
     * nothing is left behind: edu then serves a plain server's DMA.
     */
    @Test
    void aSelectiveDeviceForcedOntoAFaultingTableGetsItsMediatorsPinsThenTheKernelsHonestRefusal() throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        Path policies = Files.writeString(Files.createTempFile("jvfio-policies", ".conf"), "1234:11e8 = SELECTIVE\n");
        List<String> asked = new ArrayList<>();
        FaultMediator mediator = (device, region) -> {
            asked.add(device.address() + " " + region.iovaRange());
            return List.of(IovaRange.ofLength(region.iova(), 0x2000));
        };
        try (DmaBuffer memory = DmaBuffer.allocate(64 * 1024)) {
            FaultServer.Builder forced = FaultServer.forDevice(GuestDevices.EDU).memory(memory).iova(IOVA)
                    .policies(DevicePolicyTable.withOverrides(policies)).mediator(mediator).skipPriCheck();
            // Closed should it open after all, so that a broken refusal cannot leave edu bound for the later tests.
            VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, () -> forced.open().close());
            if (KernelVersion.running().atLeast(6, 13)) {
                assertEquals(List.of(GuestDevices.EDU + " " + IovaRange.ofLength(IOVA, memory.size())), asked);
                assertEquals("ENODEV", e.errnoName());
                assertTrue(e.getMessage().contains("VFIO_DEVICE_ATTACH_IOMMUFD_PT")
                        && e.getMessage().contains(GuestDevices.EDU + " has no PRI capability in its config space"), e.getMessage());
            } else {
                assertEquals(List.of(), asked, "the table is refused before the mediator is asked");
                assertTrue(e.getMessage().contains("IOMMU_HWPT_ALLOC") && e.getMessage().contains("Linux 6.13"), e.getMessage());
            }
            try (FaultServer server = FaultServer.forDevice(GuestDevices.EDU).memory(memory).iova(IOVA).open()) {
                server.start();
                roundTrip(server.device().orElseThrow(), memory, IOVA);
            }
        } finally {
            Files.delete(policies);
        }
    }

    /** Memory to the device and back: works only if both halves are mapped. */
    private static void roundTrip(VfioDevice device, DmaBuffer memory, long iova) throws Exception {
        byte[] pattern = new byte[2000];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 7 + 3);
        }
        long offset = iova - IOVA;
        memory.buffer().put((int) offset, pattern);
        device.pciConfig().setBusMaster(true);
        try (Mmio bar0 = device.mapBar(0)) {
            Edu edu = new Edu(bar0);
            edu.dmaToDevice(iova, 0, pattern.length);
            edu.dmaToRam(0, iova + 0x4000, pattern.length);
        }
        byte[] back = new byte[pattern.length];
        memory.buffer().get((int) offset + 0x4000, back);
        assertArrayEquals(pattern, back);
    }
}
