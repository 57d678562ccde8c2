package io.jvfio.vfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
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
 * Closing a mapping that other threads access in a loop: close must not wait for them to stop, and
 * the C accessor must never touch an unmapped range.
 */
class MmioTest {
    /** More threads than cores, so one of them always holds an access: a lock that lets accesses
     *  barge past a waiting close would never close. */
    private static final int READERS = 4;
    private static final int ROUNDS = 500;
    /** Accesses per thread after close began before it gives up on seeing it: a count, not a clock. */
    private static final int ACCESS_BUDGET = 1_000_000;

    /** An Mmio over plain anonymous memory: the accessors do not care what backs the range. */
    private static Mmio anonymous() {
        long address = UnixNative.mmap(UnixConstants.PAGE_SIZE, UnixConstants.PROT_READ | UnixConstants.PROT_WRITE,
                UnixConstants.MAP_PRIVATE | UnixConstants.MAP_ANONYMOUS | UnixConstants.MAP_POPULATE, -1, 0);
        assertTrue(address > 0, "mmap: " + address);
        return new Mmio(address, UnixConstants.PAGE_SIZE, true, true, "test mapping", unmapped -> { });
    }

    @Test
    void aWriteToARegionMappedReadOnlyIsRefusedInsteadOfKillingTheJvm() throws Exception {
        // mapRegion maps a region without VFIO_REGION_INFO_FLAG_WRITE read-only: a store there is SIGSEGV.
        long address = UnixNative.mmap(UnixConstants.PAGE_SIZE, UnixConstants.PROT_READ,
                UnixConstants.MAP_PRIVATE | UnixConstants.MAP_ANONYMOUS | UnixConstants.MAP_POPULATE, -1, 0);
        assertTrue(address > 0, "mmap: " + address);
        try (Mmio readOnly = new Mmio(address, UnixConstants.PAGE_SIZE, true, false, "read-only test mapping", unmapped -> { })) {
            assertEquals(0, readOnly.read32(0));
            UnsupportedOperationException refused = assertThrows(UnsupportedOperationException.class,
                    () -> readOnly.write32(0, 1));
            assertTrue(refused.getMessage().contains("not writable"), refused.getMessage());
            assertThrows(UnsupportedOperationException.class, () -> readOnly.write8(0, 1));
            assertThrows(UnsupportedOperationException.class, () -> readOnly.write64(0, 1));
        }
    }

    @Test
    void closeUnderConcurrentAccessesNeverCrashesAndLaterAccessesFailClearly() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Mmio mmio = anonymous();
                mmio.write32(8, 0x1234);
                CountDownLatch started = new CountDownLatch(READERS);
                AtomicBoolean closeBegan = new AtomicBoolean();
                List<Future<Throwable>> readers = new ArrayList<>();
                for (int r = 0; r < READERS; r++) {
                    readers.add(pool.submit(() -> {
                        try {
                            for (int access = 0; access < ACCESS_BUDGET; ) {
                                assertEquals(0x1234, mmio.read32(8));
                                mmio.write64(16, 7);
                                started.countDown();
                                if (closeBegan.get()) {
                                    access++;
                                }
                            }
                            return new AssertionError("a thread accessed the mapping " + ACCESS_BUDGET
                                    + " times while close was called and never saw the close: close waited for it");
                        } catch (Throwable t) {
                            started.countDown();
                            return t;
                        }
                    }));
                }
                assertTrue(started.await(60, TimeUnit.SECONDS));
                closeBegan.set(true);
                mmio.close();
                for (Future<Throwable> reader : readers) {
                    Throwable end = reader.get(60, TimeUnit.SECONDS);
                    assertInstanceOf(IllegalStateException.class, end, "round " + round + ": " + end);
                    assertTrue(end.getMessage().contains("test mapping is unmapped"), end.getMessage());
                }
                assertThrows(IllegalStateException.class, () -> mmio.read8(0));
                mmio.close();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
