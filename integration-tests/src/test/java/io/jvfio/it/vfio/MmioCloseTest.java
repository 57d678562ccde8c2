package io.jvfio.it.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.cli.demo.Edu;
import io.jvfio.it.GuestDevices;
import io.jvfio.vfio.Mmio;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A BAR mapping closed while other threads read it: no access may reach the unmapped range. */
class MmioCloseTest {
    private static final int READERS = 2;
    private static final int ROUNDS = 200;

    @Test
    void closingUnderConcurrentReadsNeverCrashesAndLaterReadsFailClearly() throws Exception {
        int groupNumber = GuestDevices.bindToVfio(GuestDevices.EDU);
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try (VfioContainer container = VfioContainer.open(); VfioGroup group = VfioGroup.open(groupNumber)) {
            group.setContainer(container);
            container.setType1v2();
            try (VfioDevice device = group.openDevice(GuestDevices.EDU)) {
                for (int round = 0; round < ROUNDS; round++) {
                    Mmio bar0 = device.mapBar(0);
                    CountDownLatch reading = new CountDownLatch(READERS);
                    List<Future<Throwable>> readers = new ArrayList<>();
                    for (int r = 0; r < READERS; r++) {
                        readers.add(pool.submit(() -> readUntilClosed(bar0, reading)));
                    }
                    assertTrue(reading.await(60, TimeUnit.SECONDS), "the readers started");
                    bar0.close();
                    for (Future<Throwable> reader : readers) {
                        Throwable end = reader.get(60, TimeUnit.SECONDS);
                        assertInstanceOf(IllegalStateException.class, end, "round " + round + ": " + end);
                        assertTrue(end.getMessage().contains("is unmapped"), end.getMessage());
                    }
                    assertThrows(IllegalStateException.class, () -> bar0.read32(Edu.ID));
                }
            }
            group.unsetContainer();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads the edu ID register until the mapping goes away; returns how the reads ended. */
    private static Throwable readUntilClosed(Mmio bar0, CountDownLatch reading) {
        try {
            while (true) {
                assertEquals(0x010000ed, bar0.read32(Edu.ID));
                reading.countDown();
            }
        } catch (Throwable t) {
            reading.countDown();
            return t;
        }
    }
}
