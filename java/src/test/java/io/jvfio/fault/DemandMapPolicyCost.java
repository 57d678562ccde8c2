package io.jvfio.fault;

import io.jvfio.internal.Errno;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.UnixConstants;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaMapper;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

/**
 * What {@link DemandMapPolicy#resolve} costs per fault on the host, with a mapper that only marks
 * pages mapped in a bitmap: the policy's own bookkeeping, the part the guest benchmark cannot
 * separate from the ioctl. As a device would, the loop faults only on pages not mapped yet. A plain
 * main that prints figures (run it by hand); no test asserts on time.
 * <p>
 * {@code java -cp java/target/classes:java/target/test-classes:<deps> io.jvfio.fault.DemandMapPolicyCost}
 */
public final class DemandMapPolicyCost {
    private static final long MIB = 1L << 20;
    private static final long REGION_BYTES = 256 * MIB;
    private static final long BASE = 0x1_0000_0000L;
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);

    private DemandMapPolicyCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        long page = UnixConstants.PAGE_SIZE;
        int pages = (int) (REGION_BYTES / page);
        for (long window : new long[] {page, 64 * 1024, 2 * MIB}) {
            for (boolean random : new boolean[] {false, true}) {
                int[] order = order(pages, random);
                long best = Long.MAX_VALUE;
                long faults = 0;
                for (int round = 0; round < rounds; round++) {
                    MarkingMapper mapper = new MarkingMapper(BASE, pages);
                    DemandMapPolicy policy = new DemandMapPolicy(mapper)
                            .addRegion(new GuestRegion(BASE, 0x7f00_0000_0000L, REGION_BYTES, RW), FaultAround.of(window));
                    SingleFault fault = new SingleFault();
                    long t0 = System.nanoTime();
                    for (int p : order) {
                        if (!mapper.isMapped(p)) {
                            fault.resolve(policy, BASE + p * page, FaultConstants.PERM_READ);
                        }
                    }
                    long ns = System.nanoTime() - t0;
                    faults = policy.faultsResolved();
                    if (faults != policy.mapCalls() || policy.bytesMapped() != REGION_BYTES) {
                        throw new AssertionError(faults + " faults, " + policy.mapCalls() + " map calls, " + policy.bytesMapped() + " bytes mapped");
                    }
                    best = Math.min(best, ns);
                }
                System.out.printf("window %7d B  %-10s  %6d faults  best pass %8.2f ms  %7.1f ns/fault%n",
                        window, random ? "random" : "sequential", faults, best / 1e6, (double) best / faults);
            }
        }
    }

    /** Every page, in order or shuffled with a fixed seed. */
    private static int[] order(int pages, boolean random) {
        int[] order = new int[pages];
        for (int i = 0; i < pages; i++) {
            order[i] = i;
        }
        if (random) {
            Random r = new Random(42);
            for (int i = pages - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Marks what it maps, one bit per page of the region at {@code base}; EEXIST where a page is marked. */
    private static final class MarkingMapper implements DmaMapper {
        private final long base;
        private final long[] bits;

        MarkingMapper(long base, int pages) {
            this.base = base;
            this.bits = new long[(pages + 63) / 64];
        }

        boolean isMapped(int page) {
            return (bits[page >>> 6] & 1L << page) != 0;
        }

        @Override
        public void map(long va, long length, long iova, Set<Access> access) {
            tryMap(va, length, iova, access);
        }

        @Override
        public long tryMap(long va, long length, long iova, Set<Access> access) {
            return tryMap(va, length, iova, Access.mask(access));
        }

        @Override
        public long tryMap(long va, long length, long iova, int accessMask) {
            int first = (int) ((iova - base) / UnixConstants.PAGE_SIZE);
            int end = first + (int) (length / UnixConstants.PAGE_SIZE);
            for (int p = first; p < end; p++) {
                if (isMapped(p)) {
                    return -Errno.EEXIST;
                }
            }
            for (int p = first; p < end; p++) {
                bits[p >>> 6] |= 1L << p;
            }
            return 0;
        }

        @Override
        public long unmap(long iova, long length) {
            throw new UnsupportedOperationException("the cost loop never unmaps");
        }

        @Override
        public void addUnmapListener(UnmapListener listener) {}

        @Override
        public void removeUnmapListener(UnmapListener listener) {}
    }
}
