package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServiceLoop;
import io.jvfio.fault.FaultStats;
import io.jvfio.fault.GuestRegion;
import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.UnixConstants;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.iommufd.testing.MockIommuDevice;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.pci.PciAddress;
import io.jvfio.vfio.VfioDevice;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Everything `jvfio serve` runs: an iommufd context, an IOAS, guest memory registered with a
 * demand-map policy (pinned ranges mapped up front), a fault queue, the fault source (a real device
 * attached to a faulting page table, or the kernel's test mock) and the fault-service loop. Closes in
 * reverse order, answering what is pending first.
 */
final class FaultServer implements AutoCloseable {
    /** How page requests are answered. */
    enum PolicyChoice { DEMAND_MAP, REJECT_ALL }

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final DemandMapPolicy demandMap;
    private final FaultServiceLoop loop;
    private final MockIommuDevice mock;
    private final GuestRegion region;
    private final List<IovaRange> faultable;

    private FaultServer(Builder b) throws Exception {
        try {
            Iommufd iommufd = own(Iommufd.open());
            IoAddressSpace ioas = own(IoAddressSpace.allocate(iommufd));
            FaultQueue queue = own(FaultQueue.allocate(iommufd));
            DmaBuffer memory = own(DmaBuffer.reserve(b.memory));
            if (b.device == null) {
                mock = own(MockIommuDevice.create(ioas, queue));
            } else {
                mock = null;
                attachDevice(b.device, iommufd, ioas, queue);
            }
            long iova = b.iova >= 0 ? b.iova : mock != null ? MockIommuDevice.aperture().start() : 1L << 30;
            region = new GuestRegion(iova, memory.address(), memory.size(), EnumSet.of(Access.READ, Access.WRITE));
            demandMap = new DemandMapPolicy(ioas, b.window).addRegion(region);
            List<IovaRange> pins = new ArrayList<>();
            for (IovaRange pin : b.pinned) {
                IovaRange absolute = new IovaRange(iova + pin.start(), iova + pin.last());
                demandMap.pin(absolute);
                pins.add(absolute);
            }
            faultable = region.iovaRange().minus(pins);
            FaultPolicy policy = b.policy == PolicyChoice.DEMAND_MAP ? demandMap : group -> FaultResponse.INVALID;
            // Registered last so that it closes first: the loop answers what is pending before the queue goes.
            loop = own(new FaultServiceLoop(queue, policy, b.batch));
            resources.add(demandMap::unmapAll);
        } catch (Exception e) {
            closeQuietly(e);
            throw e;
        }
    }

    /** A real device: cdev, bound to the iommufd, attached to a paging table that delivers faults (Linux 6.13+). */
    private void attachDevice(PciAddress address, Iommufd iommufd, IoAddressSpace ioas, FaultQueue queue) throws VfioException {
        VfioDevice device = own(VfioDevice.openCdev(address));
        int devId = device.bindIommufd(iommufd);
        HwPageTable hwpt = own(HwPageTable.allocate(iommufd, devId, ioas.id(), EnumSet.noneOf(HwptFlag.class),
                IommufdConstants.HWPT_DATA_NONE, null, queue));
        device.attach(hwpt.id());
        resources.add(device::detach);
    }

    private <T extends AutoCloseable> T own(T resource) {
        resources.add(resource);
        return resource;
    }

    void start() {
        loop.start();
    }

    /**
     * Fires {@code count} page requests spread over the faultable guest memory, plus {@code outside}
     * beyond it. The mock faults wherever it is told to, mapped or not; a well-behaved device does
     * not fault on pinned memory, so neither does a burst.
     */
    long fireBurst(long count, long outside) throws VfioException {
        if (mock == null) {
            throw new IllegalStateException("bursts come from the kernel's test mock: serve --mock");
        }
        int perm = FaultConstants.PERM_READ | FaultConstants.PERM_WRITE;
        long page = UnixConstants.PAGE_SIZE;
        if (count > 0 && faultable.stream().allMatch(r -> r.length() < page)) {
            throw new IllegalStateException("all guest memory is pinned: nothing is left to fault on");
        }
        long fired = 0;
        while (fired < count) {
            // Each round spreads over every faultable page; later rounds fault on pages already mapped.
            for (IovaRange range : faultable) {
                long pages = range.length() / page;
                long n = Math.min(count - fired, pages);
                if (n > 0) {
                    fired += mock.triggerBurst(0, perm, range.start(), page * Math.max(1, pages / n), n);
                }
            }
        }
        if (outside > 0) {
            fired += mock.triggerBurst(0, perm, region.iova() + region.length(), page, outside);
        }
        return fired;
    }

    FaultStats.Snapshot stats() {
        return loop.stats();
    }

    boolean isRunning() {
        return loop.isRunning();
    }

    Throwable failure() {
        return loop.failure();
    }

    DemandMapPolicy demandMap() {
        return demandMap;
    }

    GuestRegion region() {
        return region;
    }

    /** Stops the loop (it drains and answers first), then releases everything in reverse order. */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        resources.clear();
        if (first != null) {
            throw first;
        }
    }

    private void closeQuietly(Exception primary) {
        try {
            close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** The choices `jvfio serve` offers. */
    static final class Builder {
        private PciAddress device;
        private long memory = 64L << 20;
        private long iova = -1;
        private final List<IovaRange> pinned = new ArrayList<>();
        private PolicyChoice policy = PolicyChoice.DEMAND_MAP;
        private int batch = FaultServiceLoop.DEFAULT_BATCH;
        private int window = 1;

        /** A real device instead of the kernel's test mock. */
        Builder device(PciAddress device) {
            this.device = device;
            return this;
        }

        Builder memory(long bytes) {
            this.memory = bytes;
            return this;
        }

        Builder iova(long iova) {
            this.iova = iova;
            return this;
        }

        /** A range (offsets into guest memory) that must not fault: pinned and mapped before serving. */
        Builder pin(IovaRange offsets) {
            pinned.add(offsets);
            return this;
        }

        Builder policy(PolicyChoice policy) {
            this.policy = policy;
            return this;
        }

        Builder batch(int batch) {
            this.batch = batch;
            return this;
        }

        Builder window(int pages) {
            this.window = pages;
            return this;
        }

        FaultServer open() throws Exception {
            return new FaultServer(this);
        }
    }
}
