package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.UnixConstants;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaMapper;
import io.jvfio.memory.IovaRange;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Two policies on one mapper roll back failed pins at the same moment: neither may wait for the other. */
class DemandMapPolicyRollbackTest {
    private static final long PAGE = UnixConstants.PAGE_SIZE;
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);

    /**
     * Maps anything but the IOVAs it is told to refuse (ENOMEM, as at the memlock limit); an unmap
     * waits until both policies' rollbacks are unmapping, then tells every listener, as the IOAS does.
     */
    private static final class MeetingMapper implements DmaMapper {
        private final List<UnmapListener> listeners = new CopyOnWriteArrayList<>();
        private final CyclicBarrier bothUnmapping = new CyclicBarrier(2);
        private final Set<Long> refused;

        MeetingMapper(Set<Long> refused) {
            this.refused = refused;
        }

        @Override
        public void map(long va, long length, long iova, Set<Access> access) throws VfioException {
            if (tryMap(va, length, iova, access) < 0) {
                throw new VfioException("IOMMU_IOAS_MAP", String.format("meeting mapper, iova 0x%x", iova), Errno.ENOMEM, null);
            }
        }

        @Override
        public long tryMap(long va, long length, long iova, Set<Access> access) {
            return refused.contains(iova) ? -Errno.ENOMEM : 0;
        }

        @Override
        public long unmap(long iova, long length) {
            try {
                bothUnmapping.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("the other rollback never unmapped", e);
            }
            for (UnmapListener listener : listeners) {
                listener.unmapping(IovaRange.ofLength(iova, length));
            }
            return length;
        }

        @Override
        public void addUnmapListener(UnmapListener listener) {
            listeners.add(listener);
        }

        @Override
        public void removeUnmapListener(UnmapListener listener) {
            listeners.remove(listener);
        }
    }

    @Test
    void twoPoliciesRollingBackAtOnceDoNotDeadlock() throws Exception {
        long a = 0x1000_0000L, b = 0x2000_0000L;
        // Page 2 of each region cannot be mapped; page 1 is owned already, so a pin of pages 0..2
        // maps page 0, fails on page 2 and unmaps page 0 again.
        MeetingMapper mapper = new MeetingMapper(Set.of(a + 2 * PAGE, b + 2 * PAGE));
        DemandMapPolicy[] policies = {
                new DemandMapPolicy(mapper).addRegion(new GuestRegion(a, 0x7f00_0000_0000L, 16 * PAGE, RW)),
                new DemandMapPolicy(mapper).addRegion(new GuestRegion(b, 0x7e00_0000_0000L, 16 * PAGE, RW))};
        long[] bases = {a, b};
        Thread[] threads = new Thread[2];
        List<AtomicReference<Throwable>> thrown = List.of(new AtomicReference<>(), new AtomicReference<>());
        for (int i = 0; i < 2; i++) {
            assertEquals(FaultResponse.SUCCESS, new SingleFault().resolve(policies[i], bases[i] + PAGE, FaultConstants.PERM_READ));
            DemandMapPolicy policy = policies[i];
            IovaRange range = IovaRange.ofLength(bases[i], 3 * PAGE);
            AtomicReference<Throwable> out = thrown.get(i);
            threads[i] = new Thread(() -> {
                try {
                    policy.pin(range);
                } catch (Throwable t) {
                    out.set(t);
                }
            }, "pin " + i);
            threads[i].setDaemon(true); // left blocked when the test fails
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
            assertFalse(t.isAlive(), t.getName() + " is still rolling back: the two pins deadlocked");
        }
        for (int i = 0; i < 2; i++) {
            VfioException e = assertInstanceOf(VfioException.class, thrown.get(i).get());
            assertEquals(Errno.ENOMEM, e.errno());
            assertFalse(policies[i].isMapped(bases[i]), "the rolled-back page is no longer owned");
            assertEquals(PAGE, policies[i].bytesMapped(), "only the faulted page stays");
        }
    }
}
