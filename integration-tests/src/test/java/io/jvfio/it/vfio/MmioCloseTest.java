package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
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
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A BAR mapping closed while other threads read it in a loop: close must not wait for the readers
 * to stop, no access may reach the unmapped range, and every later access fails clearly.
 */
@IntelIommuGuest
class MmioCloseTest {
    /** More readers than vCPUs, so some reader always holds an access: a lock that lets readers
     *  barge past a waiting close would never close. */
    private static final int READERS = 4;
    private static final int ROUNDS = 100;
    /** Reads per reader after close began before it gives up on seeing it: a count, not a clock. */
    private static final int READ_BUDGET = 200_000;

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
                    AtomicBoolean closeBegan = new AtomicBoolean();
                    List<Future<Throwable>> readers = new ArrayList<>();
                    for (int r = 0; r < READERS; r++) {
                        readers.add(pool.submit(() -> readUntilClosed(bar0, reading, closeBegan)));
                    }
                    assertTrue(reading.await(60, TimeUnit.SECONDS), "the readers started");
                    closeBegan.set(true);
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

    /**
     * Reads the edu ID register until the mapping goes away; returns how the reads ended. A reader
     * that runs out of budget first means close waited for the readers to stop.
     */
    private static Throwable readUntilClosed(Mmio bar0, CountDownLatch reading, AtomicBoolean closeBegan) {
        try {
            for (int read = 0; read < READ_BUDGET; ) {
                assertEquals(0x010000ed, bar0.read32(Edu.ID));
                reading.countDown();
                if (closeBegan.get()) {
                    read++;
                }
            }
            return new AssertionError("a reader read " + READ_BUDGET
                    + " times while close was called and never saw the close: close waited for the readers");
        } catch (Throwable t) {
            reading.countDown();
            return t;
        }
    }
}
