package io.jvfio.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvfio.VfioException;
import io.jvfio.internal.UnixNative;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Views of a closed buffer: they fail loudly and never reach memory the kernel hands out later. */
class DmaBufferTest {
    private static final int SIZE = 1 << 20;
    private static volatile long[] allocated;

    /** The /proc/self/maps line of the mapping that holds {@code address}, or "" when nothing does. */
    private static String mappingAt(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.compareUnsigned(address, Long.parseUnsignedLong(range[0], 16)) >= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return line;
            }
        }
        return "";
    }

    /**
     * The error a stale access ends with, or null. HotSpot may raise it at the access or a little
     * later in the same thread (JDK 17 from compiled code: at its next call into the VM, which a
     * large allocation makes), as for a truncated MappedByteBuffer.
     */
    private static Throwable failureOf(Runnable access) {
        try {
            access.run();
            for (int i = 0; i < 100; i++) {
                allocated = new long[1 << 16];
            }
            return null;
        } catch (InternalError e) {
            return e;
        }
    }

    private static void assertFailsLoudly(Runnable access, String what) {
        Throwable failure = failureOf(access);
        assertTrue(failure instanceof InternalError, what + " after close did not fail: " + failure);
    }

    private static long sum(ByteBuffer view) {
        long sum = 0;
        for (int i = 0; i < 4096; i += 8) {
            sum += view.getLong(i);
        }
        return sum;
    }

    @Test
    void aStaleViewFailsLoudlyAndNeverWritesAMappingMadeLater() throws Exception {
        DmaBuffer closed = DmaBuffer.allocate(SIZE);
        ByteBuffer stale = closed.buffer();
        for (int i = 0; i < 20_000; i++) {
            sum(stale); // compiled by the JIT before the buffer goes away
        }
        long address = closed.address();
        closed.close();
        try (DmaBuffer fresh = DmaBuffer.allocate(SIZE)) {
            assertFailsLoudly(() -> stale.put(0, (byte) 0x5a), "a write through a stale view");
            assertEquals(0, fresh.buffer().get(0), "a mapping made after close was written through a stale view");
            assertFailsLoudly(() -> sum(stale), "a read in compiled code");
            assertFailsLoudly(() -> stale.get(0, new byte[64]), "a bulk read");
            assertTrue(mappingAt(address).contains("jvfio-closed"), "the range stays taken: " + mappingAt(address));
        }
        assertThrows(IllegalStateException.class, closed::buffer);
    }

    /** Closes a buffer while a view of it lives; returns the address, and the view becomes garbage. */
    private static long closeUnderAView() throws Exception {
        DmaBuffer buffer = DmaBuffer.allocate(SIZE);
        long address = buffer.address();
        ByteBuffer view = buffer.buffer().slice(16, 64);
        buffer.close();
        assertTrue(mappingAt(address).contains("jvfio-closed"), "a view is alive: " + mappingAt(address));
        assertFailsLoudly(() -> view.put(0, (byte) 1), "a write through a slice");
        return address;
    }

    @Test
    void theRangeIsReleasedOnceTheLastViewIsGarbage() throws Exception {
        long address = closeUnderAView();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (mappingAt(address).contains("jvfio-closed") && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(10);
        }
        assertFalse(mappingAt(address).contains("jvfio-closed"), "released: " + mappingAt(address));
    }

    @Test
    void aBufferLargerThanAByteBufferGivesViewsOfPartsAndAViewKeepsTheRangeReserved() throws Exception {
        long big = (3L << 30) + 4096; // more than a ByteBuffer's 2 GiB - 1, and not a multiple of 2^32 away from it
        DmaBuffer buffer = DmaBuffer.reserve(big);
        long address = buffer.address();
        IllegalStateException whole = assertThrows(IllegalStateException.class, buffer::buffer);
        assertTrue(whole.getMessage().contains("buffer(offset, length)"), whole.getMessage());
        ByteBuffer high = buffer.buffer(big - 4096, 4096);
        assertEquals(4096, high.capacity());
        high.putLong(8, 0x1122334455667788L);
        assertEquals(0x1122334455667788L, buffer.buffer(big - 4096 + 8, 8).getLong(0), "two views of the same bytes");
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.buffer(big - 4096, 4097));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.buffer(-1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.buffer(0, -1));
        buffer.close();
        assertTrue(mappingAt(address).contains("jvfio-closed"), "a view of part keeps the range: " + mappingAt(address));
        assertFailsLoudly(() -> high.put(0, (byte) 1), "a write through a view of part of it");

        DmaBuffer leased = DmaBuffer.reserve(big);
        ByteBuffer lease = leased.buffer(0, 0); // all FaultServer holds of its caller's memory
        long leasedAddress = leased.address();
        leased.close();
        assertTrue(mappingAt(leasedAddress).contains("jvfio-closed"), "an empty view alone keeps the range: "
                + mappingAt(leasedAddress));
        assertEquals(0, lease.capacity());
    }

    /**
     * The descriptors this process has open on memfds named {@code name}: only those, because other
     * threads open and close descriptors meanwhile (the cleaner closing an earlier test's buffer).
     */
    private static long openMemfds(String name) throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("/memfd:" + name + " ");
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        }
    }

    private static String proc(String file) throws IOException {
        return Files.readString(Path.of(file)).strip();
    }

    @Test
    void aMemfdBufferIsTheFilesMemoryAndClosingReleasesBoth() throws Exception {
        DmaBuffer buffer = DmaBuffer.memfd("jvfio-file", 3 * 4096 + 1, false);
        assertEquals(4 * 4096, buffer.size(), "rounded up to whole pages");
        int fd = buffer.memfd();
        String link = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        assertTrue(link.startsWith("/memfd:jvfio-file"), link);
        buffer.buffer().putLong(8192, 0x1122334455667788L);
        ByteBuffer read = ByteBuffer.allocateDirect(8).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(8, UnixNative.pread(fd, UnixNative.address(read), 8, 8192), "the file holds what the mapping wrote");
        assertEquals(0x1122334455667788L, read.getLong(0));
        long address = buffer.address();
        buffer.close();
        assertFalse(mappingAt(address).contains("jvfio-file"), mappingAt(address));
        assertFalse(Files.exists(Path.of("/proc/self/fd/" + fd))
                && Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString().startsWith("/memfd:jvfio-file"),
                "the memfd is closed");
    }

    @Test
    void aFailedMemfdBufferLeavesNoDescriptorOpen() throws Exception {
        VfioException e = assertThrows(VfioException.class, () -> DmaBuffer.memfd("jvfio-too-big", Long.MAX_VALUE / 2, false));
        assertEquals(0, openMemfds("jvfio-too-big"), e.getMessage());
    }

    /** memfd_create counts a name's bytes, not its characters: the message says both. */
    @Test
    void aMemfdNameTooLongInBytesSaysHowManyBytes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DmaBuffer.memfd("\u00fc".repeat(200), SIZE, false));
        assertTrue(e.getMessage().contains("at most 249 bytes (memfd_create), not 400 (UTF-8, 200 characters)"),
                e.getMessage());
    }

    private static final String POOL_2M = "/sys/kernel/mm/hugepages/hugepages-2048kB";

    /**
     * This host reserves no 2 MiB pages (the default): a hugetlb buffer is refused with how to reserve
     * them, in the 2 MiB pool's own files (not /proc/sys/vm/nr_hugepages, the default size's pool).
     */
    @Test
    void aHugetlbBufferWithoutReservedHugePagesSaysHowToReserveThem() throws Exception {
        assumeTrue(proc(POOL_2M + "/nr_hugepages").equals("0") && proc(POOL_2M + "/free_hugepages").equals("0"),
                "this host has huge pages reserved");
        VfioException e = assertThrows(VfioException.class, () -> DmaBuffer.memfd("jvfio-huge", 3 << 20, true));
        assertEquals("ENOMEM", e.errnoName(), e.getMessage());
        assertTrue(e.getMessage().contains("memfd 'jvfio-huge' of 4194304 bytes (hugetlb)"), e.getMessage());
        assertTrue(e.getMessage().contains("not enough free 2 MiB huge pages for 2 (" + POOL_2M + "/nr_hugepages is 0, 0 free)"
                + "; reserve huge pages: echo 2 > " + POOL_2M + "/nr_hugepages"), e.getMessage());
        assertEquals(0, openMemfds("jvfio-huge"), "the memfd is closed again");
    }

    @Test
    void aBufferWithoutViewsIsUnmappedAtOnce() throws Exception {
        DmaBuffer buffer = DmaBuffer.memfd("jvfio-test", SIZE, false);
        long address = buffer.address();
        assertTrue(mappingAt(address).contains("jvfio-test"), mappingAt(address));
        buffer.close();
        assertFalse(mappingAt(address).contains("jvfio"), mappingAt(address));
        buffer.close();
    }
}
