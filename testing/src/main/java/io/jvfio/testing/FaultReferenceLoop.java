package io.jvfio.testing;

import io.jvfio.EventFd;
import io.jvfio.VfioException;
import io.jvfio.fault.GuestRegion;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.Access;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;

/**
 * The C reference fault-serving loops that the IOPF benchmarks run beside
 * {@link io.jvfio.fault.FaultServiceLoop} on the same fault source: the same algorithm (epoll on the
 * fault fd and a stop eventfd, read a batch, answer once per group, one write per batch) with no
 * Java, either answering SUCCESS without looking ({@link #serve}) or mapping what faults first, as
 * {@link io.jvfio.fault.DemandMapPolicy} does ({@link #serveDemandMap}).
 */
public final class FaultReferenceLoop {
    /** The most records the loop reads at once. */
    public static final int MAX_BATCH = 256;

    static {
        TestingLibrary.ensureAvailability();
    }

    private FaultReferenceLoop() {}

    /**
     * Answers SUCCESS to every group on {@code queue} until {@code maxGroups} are answered or
     * {@code stop} is signalled. For each batch it stores the read-to-answer latency in ns and the
     * group count as two native-order longs in {@code samples} (a direct buffer), as many as fit.
     *
     * @return the number of groups answered
     */
    public static long serve(FaultQueue queue, EventFd stop, int batch, long maxGroups, ByteBuffer samples)
            throws VfioException {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("the reference loop reads 1 to " + MAX_BATCH + " records at once, not " + batch);
        }
        long r = FaultReferenceLoopNative.serve(queue.fd(), stop.fd(), batch, maxGroups, RawIo.address(samples),
                samples.capacity() / 16);
        if (r < 0) {
            throw VfioException.of("reference loop", queue.toString(), (int) -r, null);
        }
        return r;
    }

    /** What {@link #serveDemandMap} did: groups answered and pages it mapped (and left mapped). */
    public record DemandMapResult(long answered, long pagesMapped) {}

    /**
     * Serves {@code queue} like {@link #serve}, resolving each fault the way
     * {@link io.jvfio.fault.DemandMapPolicy} does with a one-page window: inside the read-write
     * {@code region}, IOMMU_IOAS_MAP of the faulting page into {@code ioas}, then SUCCESS; outside it,
     * on a page something else mapped, or when the kernel refuses the map, INVALID. The pages stay
     * mapped: the caller unmaps the region.
     */
    public static DemandMapResult serveDemandMap(FaultQueue queue, EventFd stop, int batch, long maxGroups,
                                                 ByteBuffer samples, IoAddressSpace ioas, GuestRegion region)
            throws VfioException {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new IllegalArgumentException("the reference loop reads 1 to " + MAX_BATCH + " records at once, not " + batch);
        }
        if (!region.access().equals(EnumSet.of(Access.READ, Access.WRITE))) {
            throw new IllegalArgumentException("the C demand-map loop maps read-write regions only, not " + region);
        }
        ByteBuffer mapped = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        long r = FaultReferenceLoopNative.serveDemandMap(queue.fd(), stop.fd(), batch, maxGroups, RawIo.address(samples),
                samples.capacity() / 16, ioas.iommufd().fd(), ioas.id(), region.iova(), region.userAddress(),
                region.length(), RawIo.address(mapped));
        if (r < 0) {
            throw VfioException.of("demand-map reference loop", queue + ", " + ioas, (int) -r, null);
        }
        return new DemandMapResult(r, mapped.getLong(0));
    }
}
