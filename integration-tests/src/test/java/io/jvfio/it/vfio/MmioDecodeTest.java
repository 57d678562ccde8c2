package io.jvfio.it.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.EventFd;
import io.jvfio.cli.demo.Edu;
import io.jvfio.it.IntelIommuGuest;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.PciConfigSpace;
import io.jvfio.vfio.PciIndex;
import io.jvfio.vfio.VfioDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A config write that clears Memory Space in COMMAND makes vfio-pci unmap the device's BARs, and a
 * touch of one then gets SIGBUS, which kills the JVM in the C accessor. The mapping must refuse the
 * access instead, and answer again once the bit is set.
 */
@IntelIommuGuest
class MmioDecodeTest {
    private static final int MEMORY_SPACE = 0x2;
    private static final int EDU_ID = 0x010000ed;
    /** More readers than vCPUs, so some reader is inside an access whenever decoding goes off. */
    private static final int READERS = 4;
    private static final int ROUNDS = 200;

    @Test
    void aBarAccessWhileMemoryDecodingIsOffIsRefusedInsteadOfKillingTheJvm() throws Exception {
        try (EduOnIommufd fixture = new EduOnIommufd()) {
            VfioDevice device = fixture.device;
            Mmio bar0 = fixture.bar0;
            PciConfigSpace config = device.pciConfig();
            int command = config.read16(PciConfigSpace.COMMAND);
            assertNotEquals(0, command & MEMORY_SPACE, "vfio-pci enabled memory decoding");
            assertEquals(EDU_ID, bar0.read32(Edu.ID));

            config.write16(PciConfigSpace.COMMAND, command & ~MEMORY_SPACE);
            IllegalStateException read = assertThrows(IllegalStateException.class, () -> bar0.read32(Edu.ID));
            assertTrue(read.getMessage().contains("BAR0: a 32-bit read at offset 0x0: the device's memory decoding is off"),
                    read.getMessage());
            assertThrows(IllegalStateException.class, () -> bar0.write32(Edu.LIVENESS, 1));
            try (Mmio mappedWhileOff = device.mapBar(0)) {
                assertThrows(IllegalStateException.class, () -> mappedWhileOff.read32(Edu.ID), "a mapping made while off");
            }
            config.write16(PciConfigSpace.COMMAND, command);
            assertEquals(EDU_ID, bar0.read32(Edu.ID), "answers again once Memory Space is set");

            // The same through a write of the config region's bytes.
            device.writeRegion(PciIndex.CONFIG, PciConfigSpace.COMMAND,
                    ByteBuffer.wrap(new byte[] {(byte) (command & ~MEMORY_SPACE), (byte) (command >>> 8)}));
            assertThrows(IllegalStateException.class, () -> bar0.read32(Edu.ID));
            device.writeRegion(PciIndex.CONFIG, PciConfigSpace.COMMAND,
                    ByteBuffer.wrap(new byte[] {(byte) command, (byte) (command >>> 8)}));
            assertEquals(EDU_ID, bar0.read32(Edu.ID));

            config.setBusMaster(false);
            config.setBusMaster(true);
            assertEquals(EDU_ID, bar0.read32(Edu.ID), "a COMMAND write that keeps Memory Space leaves the BAR usable");
        }
    }

    /**
     * Readers in a loop while decoding goes off and on, and MSI set up and torn down meanwhile (vfio-pci
     * sets the hardware's Memory Space for a moment around it, so a read of COMMAND may show it on while
     * vfio-pci holds it off): each read returns the ID or is refused; none crashes.
     */
    @Test
    void readsRacingWithDecodingGoingOffAreEitherAnsweredOrRefused() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(READERS + 1);
        try (EduOnIommufd fixture = new EduOnIommufd()) {
            Mmio bar0 = fixture.bar0;
            PciConfigSpace config = fixture.device.pciConfig();
            int command = config.read16(PciConfigSpace.COMMAND);
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch reading = new CountDownLatch(READERS);
            List<Future<long[]>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(pool.submit(() -> {
                    long answered = 0, refused = 0;
                    while (!stop.get()) {
                        try {
                            assertEquals(EDU_ID, bar0.read32(Edu.ID));
                            answered++;
                        } catch (IllegalStateException e) {
                            assertTrue(e.getMessage().contains("memory decoding is off"), e.getMessage());
                            refused++;
                        }
                        reading.countDown();
                    }
                    return new long[] {answered, refused};
                }));
            }
            Future<Integer> msiChurn = pool.submit(() -> {
                int rounds = 0;
                try (EventFd interrupt = EventFd.create()) {
                    while (!stop.get()) {
                        fixture.device.enableIrq(PciIndex.MSI, interrupt).close();
                        rounds++;
                    }
                }
                return rounds;
            });
            try {
                assertTrue(reading.await(60, TimeUnit.SECONDS), "the readers started");
                for (int round = 0; round < ROUNDS; round++) {
                    config.write16(PciConfigSpace.COMMAND, command & ~MEMORY_SPACE);
                    config.write16(PciConfigSpace.COMMAND, command);
                }
            } finally {
                stop.set(true);
            }
            long answered = 0;
            for (Future<long[]> reader : readers) {
                answered += reader.get(60, TimeUnit.SECONDS)[0];
            }
            assertTrue(answered > 0, "reads were answered");
            assertTrue(msiChurn.get(60, TimeUnit.SECONDS) > 0, "MSI was set up meanwhile");
            assertEquals(EDU_ID, bar0.read32(Edu.ID));
        } finally {
            pool.shutdownNow();
        }
    }
}
