package io.jvfio.it.iopf;

import io.jvfio.it.MockIommuGuest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioBusyException;
import io.jvfio.VfioException;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultRecords;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultResponses;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.testing.MockIommuDevice;
import io.jvfio.testing.RawIo;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the kernel's fault queue does, read and answered by hand through the shim. */
@MockIommuGuest
class FaultQueueKernelTest {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;
    private static final long BASE = MockIommuDevice.aperture().start();
    /** asm-generic/errno-base.h: what a fault fd answers to I/O that is not whole records or responses. */
    private static final long ESPIPE = 29;

    private MockFaultFixture source;
    private final ByteBuffer records = ByteBuffer.allocateDirect(256 * FaultRecords.SIZE).order(ByteOrder.nativeOrder());
    private final ByteBuffer responses = ByteBuffer.allocateDirect(256 * FaultResponses.SIZE).order(ByteOrder.nativeOrder());

    @BeforeEach
    void open() throws Exception {
        source = new MockFaultFixture();
    }

    @AfterEach
    void close() throws Exception {
        source.close();
    }

    private int read(int maxRecords) throws VfioException {
        int n = source.queue.read(records.slice(0, maxRecords * FaultRecords.SIZE));
        assertTrue(n >= 0, "read: " + n);
        return n;
    }

    /** The responses the kernel took: 1, or 0 when it refused this one. */
    private int answer(int cookie, int code) throws VfioException {
        responses.putInt(FaultResponses.COOKIE, cookie);
        responses.putInt(FaultResponses.CODE, code);
        return source.queue.respond(responses, 0, 1);
    }

    private boolean readable() throws VfioException {
        return source.queue.hasPending();
    }

    @Test
    void oneFaultIsDeliveredAnsweredOnceAndNotTwice() throws Exception {
        assertFalse(readable());
        assertEquals(0, read(1), "an empty queue reads 0 without blocking");
        trigger(0, 3, RW, BASE + 0x5000);
        assertTrue(readable());
        assertEquals(1, read(16));
        FaultRecords r = FaultRecords.over(records, 1);
        assertTrue(r.lastPage(0));
        assertFalse(r.pasidValid(0));
        assertEquals(source.mock.deviceId(), r.devId(0));
        assertEquals(3, r.grpid(0));
        assertEquals(RW, r.perm(0));
        assertEquals(BASE + 0x5000, r.addr(0));
        assertEquals(1, answer(r.cookie(0), FaultResponse.SUCCESS.code()));
        assertEquals(0, answer(r.cookie(0), FaultResponse.SUCCESS.code()), "a second answer is refused");
        assertFalse(readable());
    }

    @Test
    void pasidAndGroupIdAreReported() throws Exception {
        trigger(5, 7, FaultPermissions.READ, BASE);
        assertEquals(1, read(1));
        FaultRecords r = FaultRecords.over(records, 1);
        assertTrue(r.pasidValid(0));
        assertEquals(5, r.pasid(0));
        assertEquals(7, r.grpid(0));
        assertEquals(1, answer(r.cookie(0), FaultResponse.INVALID.code()));
    }

    @Test
    void aBatchIsReadAndAnsweredInOneCallEach() throws Exception {
        assertEquals(64, source.mock.triggerBurst(0, RW, BASE, 4096, 64));
        assertEquals(64, read(256));
        FaultRecords r = FaultRecords.over(records, 64);
        Set<Integer> cookies = new HashSet<>();
        FaultResponses answers = FaultResponses.allocate(64);
        for (int i = 0; i < 64; i++) {
            cookies.add(r.cookie(i));
            answers.add(r.cookie(i), FaultResponse.SUCCESS);
        }
        assertEquals(64, cookies.size(), "one cookie per one-fault group");
        assertEquals(64, source.queue.respond(answers.buffer(), 0, answers.count()));
        assertFalse(readable());
    }

    @Test
    void badCookiesShortWritesAndPartialBatchesSurface() throws Exception {
        long shortWrite = RawIo.write(source.queue.fd(), RawIo.address(responses), 4);
        assertEquals(-ESPIPE, shortWrite);
        long oddRead = RawIo.read(source.queue.fd(), RawIo.address(records), FaultRecords.SIZE + 1);
        assertEquals(-ESPIPE, oddRead);
        assertEquals(0, answer(0x7fff0000, FaultResponse.SUCCESS.code()), "unknown cookie");
        trigger(0, 1, RW, BASE);
        trigger(0, 2, RW, BASE + 4096);
        assertEquals(2, read(16));
        FaultRecords r = FaultRecords.over(records, 2);
        int size = FaultResponses.SIZE;
        responses.putInt(FaultResponses.COOKIE, r.cookie(0)).putInt(FaultResponses.CODE, 0);
        responses.putInt(size + FaultResponses.COOKIE, 0x7fff0001).putInt(size + FaultResponses.CODE, 0);
        responses.putInt(2 * size + FaultResponses.COOKIE, r.cookie(1)).putInt(2 * size + FaultResponses.CODE, 0);
        assertEquals(1, source.queue.respond(responses, 0, 3), "the kernel stops at the bad response and says how much it took");
        assertEquals(0, source.queue.respond(responses, 1, 2));
        assertEquals(1, source.queue.respond(responses, 2, 1));
        assertFalse(readable());
    }

    @Test
    void theQueueCannotBeDestroyedWhileAPageTableUsesIt() throws Exception {
        VfioBusyException busy = assertThrows(VfioBusyException.class, source.queue::close);
        assertTrue(busy.getMessage().contains("fault queue " + source.queue.id()), busy.getMessage());
        trigger(0, 1, RW, BASE);
        assertEquals(1, read(1), "the queue still works after the refused destroy");
        answer(FaultRecords.over(records, 1).cookie(0), FaultResponse.SUCCESS.code());
    }

    @Test
    void aServedQueueRefusesASecondServerAndItsCloseUntilTheClaimIsReleased() throws Exception {
        FaultQueue.Claim claim = source.queue.claim("test server");
        VfioBusyException second = assertThrows(VfioBusyException.class, () -> source.queue.claim("another server"));
        assertTrue(second.getMessage().contains("test server"), second.getMessage());
        source.closeMock();
        VfioBusyException busy = assertThrows(VfioBusyException.class, source.queue::close);
        assertTrue(busy.getMessage().contains("test server still serves it"), busy.getMessage());
        assertEquals(0, read(16), "the queue still reads after the refused close");
        claim.close();
        source.queue.close();
        VfioException closed = assertThrows(VfioException.class, () -> read(16));
        assertTrue(closed.getMessage().contains("closed"), closed.getMessage());
        assertThrows(VfioException.class, () -> source.queue.respond(responses, 0, 1));
        assertThrows(VfioException.class, () -> source.queue.claim("late server"));
    }

    @Test
    void respondAndReadSaysHowManyAnswersItWroteAndWhen() throws Exception {
        twoFaultsTheFirstReadAndItsAnswerReady();
        ByteBuffer next = ByteBuffer.allocateDirect(FaultRecords.SIZE).order(ByteOrder.nativeOrder());
        try (FaultQueue.Claim claim = source.queue.claim("test server")) {
            long before = System.nanoTime();
            assertEquals(1, claim.respondAndRead(responses, 1, next), "the second fault, still pending");
            long after = System.nanoTime();
            assertEquals(1, claim.responsesTaken(), "the first answer, taken now and not before");
            assertTrue(claim.respondedAtNanos() - before >= 0 && after - claim.respondedAtNanos() >= 0,
                    before + " <= " + claim.respondedAtNanos() + " <= " + after);
            int second = FaultRecords.over(next, 1).cookie(0);
            // Not the first's cookie: the kernel gave it to the second once the first was answered.
            responses.putInt(FaultResponses.COOKIE, Integer.MAX_VALUE);
            assertEquals(FaultQueue.NOT_READ, claim.respondAndRead(responses, 1, next), "a cookie never handed out");
            assertEquals(0, claim.responsesTaken());
            assertEquals(1, answer(second, FaultResponse.SUCCESS.code()));
        }
        assertFalse(readable());
    }

    /**
     * Records read into a DmaBuffer closed meanwhile: the kernel's copy fails (EFAULT) and keeps the
     * fault queued, and the call stores nothing of its own there (the shim once stored its status
     * into a caller's buffer, where SIGBUS killed the JVM).
     */
    @Test
    void recordsIntoAClosedDmaBufferFailWithEfaultAndTheFaultStaysQueued() throws Exception {
        twoFaultsTheFirstReadAndItsAnswerReady();
        DmaBuffer memory = DmaBuffer.allocate(4096);
        ByteBuffer stale = memory.buffer(0, FaultRecords.SIZE).order(ByteOrder.nativeOrder());
        memory.close(); // the view keeps the addresses, over an empty file
        try (FaultQueue.Claim claim = source.queue.claim("test server")) {
            VfioException e = assertThrows(VfioException.class, () -> claim.respondAndRead(responses, 1, stale));
            assertTrue(e.getMessage().contains("EFAULT"), e.getMessage());
            assertEquals(1, claim.responsesTaken(), "the answer went out before the read");
        }
        assertTrue(readable(), "the second fault was lost");
        assertEquals(1, read(1));
        assertEquals(1, answer(FaultRecords.over(records, 1).cookie(0), FaultResponse.SUCCESS.code()));
        assertFalse(readable());
    }

    /**
     * Two threads in one claim's call would swap its cached buffer addresses under each other (records
     * read into the other's smaller buffer). A call in flight is made to look so by its flag, which is
     * what a second thread finds.
     */
    @Test
    void aCallWhileAnotherIsInFlightOnTheClaimIsRefusedBeforeAnyIo() throws Exception {
        twoFaultsTheFirstReadAndItsAnswerReady();
        ByteBuffer next = ByteBuffer.allocateDirect(FaultRecords.SIZE).order(ByteOrder.nativeOrder());
        try (FaultQueue.Claim claim = source.queue.claim("test server")) {
            Field inCall = FaultQueue.Claim.class.getDeclaredField("inCall");
            inCall.setAccessible(true);
            inCall.setBoolean(claim, true);
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> claim.respondAndRead(responses, 1, next));
            assertTrue(refused.getMessage().contains("another call is in flight"), refused.getMessage());
            inCall.setBoolean(claim, false);
            assertEquals(1, claim.respondAndRead(responses, 1, next), "nothing was written or read before");
            assertEquals(1, claim.responsesTaken());
            assertEquals(1, answer(FaultRecords.over(next, 1).cookie(0), FaultResponse.SUCCESS.code()));
        }
        assertFalse(readable());
    }

    /** Two faults queued, the first read, and SUCCESS for it at the head of {@link #responses}. */
    private void twoFaultsTheFirstReadAndItsAnswerReady() throws VfioException {
        trigger(0, 1, RW, BASE);
        trigger(0, 2, RW, BASE + 4096);
        assertEquals(1, read(1));
        responses.putInt(FaultResponses.COOKIE, FaultRecords.over(records, 1).cookie(0))
                .putInt(FaultResponses.CODE, FaultResponse.SUCCESS.code());
    }

    private void trigger(int pasid, int grpid, int perm, long addr) {
        try {
            source.mock.trigger(pasid, grpid, perm, addr);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
