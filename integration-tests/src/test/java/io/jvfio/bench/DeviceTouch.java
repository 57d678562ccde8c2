package io.jvfio.bench;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultGroup;
import io.jvfio.fault.FaultPermissions;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.fault.GuestRegion;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A device touching guest memory under demand paging, driven through the kernel's mock: for each page
 * in the touch order it asks the mock domain whether the page is mapped to its memory
 * (IOMMU_TEST_OP_MD_CHECK_MAP, the device's translation), and only when it is not, raises a page
 * request (IOMMU_TEST_OP_TRIGGER_IOPF, which looks at no page table) and stalls, as a device stalls
 * on its ATS/PRI miss, until the policy has resolved it, then touches again. The fault-service loop
 * resolves the faults with a {@link DemandMapPolicy} of the given window. One pass is timed whole:
 * touches and faults.
 * <p>
 * The device sleeps while it stalls and the policy wakes it. It must not spin: under TCG (one host
 * thread runs every vCPU in turn) a spinning vCPU takes the time the fault loop's vCPU needs, which
 * measured over a millisecond per fault. So the device resumes once the page is mapped, as the
 * policy returns, and the loop's write of the answer overlaps the device's next touch.
 */
final class DeviceTouch {
    private static final int RW = FaultPermissions.READ | FaultPermissions.WRITE;

    private DeviceTouch() {}

    /**
     * One pass.
     *
     * @param touched     pages touched
     * @param faults      page requests raised (touches that found the page unmapped)
     * @param nanos       the pass, first touch to last
     * @param mapCalls    the policy's IOMMU_IOAS_MAP calls
     * @param bytesMapped what the policy has mapped at the end
     * @param bytesPinned what the kernel counts pinned (VmPin) at the end, above what it was before
     * @param unresolved  faults answered SUCCESS whose page the device still found unmapped (should be 0)
     * @param iommuPage   the IOMMU page the lowest area mapped starts with ({@link MockRig#iommuPageAt})
     */
    record Pass(long touched, long faults, long nanos, long mapCalls, long bytesMapped, long bytesPinned, long unresolved,
                long iommuPage, FaultStats.Snapshot stats) {}

    /** Touches {@code order} (page numbers) of {@code memory}, mapped at {@link MockRig#BASE} on demand; unmaps it all after. */
    static Pass run(MockRig rig, DmaBuffer memory, long windowBytes, int[] order) throws Exception {
        GuestRegion region = new GuestRegion(MockRig.BASE, memory.address(), memory.size(), EnumSet.of(Access.READ, Access.WRITE));
        long pinnedBefore = MockRig.pinnedBytes();
        DemandMapPolicy policy = DemandMapPolicies.windowed(rig.ioas, region, windowBytes);
        try {
            long faults = 0;
            long unresolved = 0;
            long nanos;
            FaultStats.Snapshot stats;
            Resume resume = new Resume(policy, Thread.currentThread());
            try (FaultServiceLoop loop = new FaultServiceLoop(rig.queue, resume, FaultServiceLoop.DEFAULT_BATCH)) {
                loop.start();
                long t0 = System.nanoTime();
                for (int page : order) {
                    long iova = MockRig.BASE + (long) page * MockRig.PAGE;
                    long va = memory.address() + (long) page * MockRig.PAGE;
                    if (rig.mock.mapsTo(iova, MockRig.PAGE, va)) {
                        continue;
                    }
                    rig.mock.trigger(0, (int) (faults & 0x1ff), RW, iova);
                    faults++;
                    resume.await(loop, faults);
                    if (!rig.mock.mapsTo(iova, MockRig.PAGE, va)) {
                        unresolved++;
                    }
                }
                nanos = System.nanoTime() - t0;
                // The device resumed as the policy returned: let the loop write and count the last answer.
                while (loop.groupsAnswered() < faults && loop.isRunning()) {
                    LockSupport.parkNanos(100_000);
                }
                stats = loop.stats();
            }
            long pinned = MockRig.pinnedBytes() - pinnedBefore;
            List<IovaRange> areas = policy.areas();
            long iommuPage = areas.isEmpty() ? 0 : rig.iommuPageAt(areas.get(0));
            return new Pass(order.length, faults, nanos, policy.mapCalls(), policy.bytesMapped(), pinned, unresolved, iommuPage,
                    stats);
        } finally {
            rig.unmapGuest(memory.size());
            policy.close();
        }
    }

    /** The policy, waking the stalled device each time it has resolved a group. */
    private static final class Resume implements FaultPolicy {
        private final FaultPolicy policy;
        private final Thread device;
        private volatile long resolved;

        Resume(FaultPolicy policy, Thread device) {
            this.policy = policy;
            this.device = device;
        }

        @Override
        public FaultResponse resolve(FaultGroup group) throws Exception {
            try {
                return policy.resolve(group);
            } finally {
                resolved++; // the loop's thread is the one writer
                LockSupport.unpark(device);
            }
        }

        /** Sleeps until {@code groups} groups are resolved; checks every 10 ms that the loop still runs. */
        void await(FaultServiceLoop loop, long groups) {
            while (resolved < groups) {
                if (!loop.isRunning()) {
                    throw new IllegalStateException("the fault loop ended with " + resolved + " of " + groups
                            + " groups resolved", loop.failure());
                }
                LockSupport.parkNanos(this, 10_000_000);
            }
        }
    }
}
