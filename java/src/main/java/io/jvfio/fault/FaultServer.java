package io.jvfio.fault;

import io.jvfio.VfioException;
import io.jvfio.internal.UnixConstants;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import io.jvfio.pci.PciAddress;
import io.jvfio.vfio.PciConfigSpace;
import io.jvfio.vfio.VfioDevice;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's DMA into guest memory, set up the way the device policy table decides, as `jvfio serve`
 * runs it: an iommufd context and IOAS, the memory, and then either
 * <ul>
 * <li>for an {@link DeviceFaultMode#ARBITRARY_FAULTS} device with PRI: a fault queue, a page table
 * that delivers the device's faults to it, the memory registered with a {@link DemandMapPolicy} and a
 * {@link FaultServiceLoop} that maps what faults;</li>
 * <li>for a {@link DeviceFaultMode#SELECTIVE} device with PRI and a {@link FaultMediator}: the same,
 * with the mediator's ranges pinned and mapped before the device is attached;</li>
 * <li>for every other device ({@link DeviceFaultMode#NONE}, no PRI, SELECTIVE without a mediator):
 * all memory pinned and mapped before the device is attached, and no fault queue.</li>
 * </ul>
 * Ranges given with {@link Builder#pin} are pinned in every mode. A {@link FaultSource} that is not a
 * device ({@link #forSource}), such as the kernel's iommufd test mock, takes faults anywhere.
 * {@link #close()} tears down in the only safe order: the loop stops and answers what it read, the
 * device is detached (the kernel answers what came after), then the memory is unmapped, so no fault
 * maps a page back in behind the unmap.
 */
public final class FaultServer implements AutoCloseable {
    /** Where a real device sees guest memory unless told otherwise. */
    public static final long DEFAULT_DEVICE_IOVA = 1L << 30;
    private static final Set<Access> GUEST_ACCESS = EnumSet.of(Access.READ, Access.WRITE);
    private static final Logger LOG = LoggerFactory.getLogger(FaultServer.class);

    private final String name;
    private Iommufd iommufd;
    private IoAddressSpace ioas;
    private DmaBuffer ownedMemory;
    /**
     * An (empty) view of the caller's memory, held for the server's life: if the caller closes that memory
     * first, the range stays reserved (DmaBuffer leaves a tombstone under live views), so a later
     * fault can never map whatever else would be mapped at the same address.
     */
    private ByteBuffer callerMemoryLease;
    private VfioDevice device;
    private boolean attached;
    private FaultQueue queue;
    private HwPageTable pageTable;
    private FaultSource source;
    private DemandMapPolicy demandMap;
    private FaultServiceLoop loop;
    private boolean allPinned;
    private GuestRegion region;
    private DevicePolicyTable.Decision decision;
    private boolean closed;

    private FaultServer(Builder b) throws VfioException {
        name = b.device != null ? b.device.toString() : b.source.toString();
        if (b.buffer != null && !b.buffer.isOpen()) {
            throw new IllegalArgumentException("the guest memory given for " + name + " (" + b.buffer + ") is closed");
        }
        try {
            if (b.device != null) {
                device = VfioDevice.openCdev(b.device); // first: a missing device or cdev says so, not /dev/iommu's access
            }
            iommufd = Iommufd.open();
            ioas = IoAddressSpace.allocate(iommufd);
            DmaBuffer memory = b.buffer != null ? b.buffer : (ownedMemory = DmaBuffer.reserve(b.size));
            if (b.buffer != null) {
                callerMemoryLease = b.buffer.buffer(0, 0); // an empty view: memory of any size, nothing to read
            }
            if (b.device != null) {
                openDevice(b, memory);
            } else {
                openSource(b, memory);
            }
        } catch (Throwable e) {
            // Errors too: a mediator's or source's AssertionError must not leave the device bound and the fds open.
            try {
                close();
            } catch (Throwable suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The device, opened through its cdev, bound; its mode comes from {@code table}, its config space and {@code mediator}. */
    private void openDevice(Builder b, DmaBuffer memory) throws VfioException {
        int deviceId = device.bindIommufd(iommufd);
        PciConfigSpace config = device.pciConfig();
        decision = b.table.decide(config.read16(PciConfigSpace.VENDOR_ID), config.read16(PciConfigSpace.DEVICE_ID),
                config.capabilities(), b.mediator != null, b.checkPri);
        region = region(b, memory, DEFAULT_DEVICE_IOVA);
        List<IovaRange> ranges = userPins(b);
        if (decision.mode() == DeviceFaultMode.NONE) {
            pinAll();
            device.attach(ioas);
            attached = true;
            return;
        }
        queue = FaultQueue.allocate(iommufd);
        pageTable = HwPageTable.allocate(iommufd, deviceId, ioas.id(), EnumSet.noneOf(HwptFlag.class), queue);
        if (decision.mode() == DeviceFaultMode.SELECTIVE) {
            List<IovaRange> mediated = Objects.requireNonNull(b.mediator.nonFaultable(device, region),
                    "the mediator of " + name + " returned null");
            for (IovaRange r : mediated) {
                if (r == null) {
                    throw new IllegalArgumentException("the mediator of " + name + " returned a null range among " + mediated.size());
                }
                if (!region.iovaRange().contains(r.start(), r.length())) {
                    throw new IllegalArgumentException("the mediator of " + name + " names " + r
                            + ", which is not inside guest memory " + region.iovaRange());
                }
            }
            ranges.addAll(mediated);
        }
        serveFaults(b, ranges);
        device.attach(pageTable);
        attached = true;
    }

    private void openSource(Builder b, DmaBuffer memory) throws VfioException {
        queue = FaultQueue.allocate(iommufd);
        b.source.attach(ioas, queue);
        source = b.source;
        decision = new DevicePolicyTable.Decision(DeviceFaultMode.ARBITRARY_FAULTS,
                "ARBITRARY_FAULTS: it faults wherever it is told to");
        region = region(b, memory, source.defaultIova());
        serveFaults(b, userPins(b));
    }

    private static GuestRegion region(Builder b, DmaBuffer memory, long defaultIova) {
        return new GuestRegion(b.iova >= 0 ? b.iova : defaultIova, memory.address(), memory.size(), GUEST_ACCESS);
    }

    /** The builder's pins, which are offsets into guest memory (inside it: the builder checked), as IOVA ranges. */
    private List<IovaRange> userPins(Builder b) {
        List<IovaRange> out = new ArrayList<>();
        for (IovaRange offsets : b.pins) {
            out.add(new IovaRange(region.iova() + offsets.start(), region.iova() + offsets.last()));
        }
        return out;
    }

    /** Registers the memory for demand mapping, pins {@code ranges} now and builds the loop (not started). */
    private void serveFaults(Builder b, List<IovaRange> ranges) throws VfioException {
        demandMap = new DemandMapPolicy(ioas, b.window).addRegion(region, b.faultAround);
        for (IovaRange r : ranges) {
            demandMap.pin(r);
        }
        loop = new FaultServiceLoop(queue, b.policy != null ? b.policy : demandMap, b.batch);
    }

    /**
     * {@code ranges} as the demand map pins them: out to whole pages, overlapping and adjacent ones
     * merged, in IOVA order. Reported as typed, a pin of part of a page left the rest of that page in
     * {@link #faultable()}, where a burst faulted on memory that was pinned.
     */
    static List<IovaRange> wholePages(List<IovaRange> ranges, long page) {
        List<IovaRange> sorted = new ArrayList<>();
        for (IovaRange r : ranges) {
            sorted.add(DemandMapPolicy.pagesOf(r, page));
        }
        sorted.sort((a, b) -> Long.compareUnsigned(a.start(), b.start()));
        List<IovaRange> out = new ArrayList<>();
        for (IovaRange r : sorted) {
            IovaRange before = out.isEmpty() ? null : out.get(out.size() - 1);
            // Sorted: r starts at or after before; it joins before when it starts at most one past before's end.
            if (before != null && (r.start() == 0 || Long.compareUnsigned(r.start() - 1, before.last()) <= 0)) {
                long last = Long.compareUnsigned(r.last(), before.last()) > 0 ? r.last() : before.last();
                out.set(out.size() - 1, new IovaRange(before.start(), last));
            } else {
                out.add(r);
            }
        }
        return List.copyOf(out);
    }

    private void pinAll() throws VfioException {
        ioas.map(region.userAddress(), region.length(), region.iova(), region.access());
        allPinned = true;
    }

    /** A real device: on vfio-pci, with a VFIO cdev. */
    public static Builder forDevice(PciAddress device) {
        return new Builder(Objects.requireNonNull(device, "device"), null);
    }

    /** A fault source that is not a device, e.g. the kernel's iommufd test mock; the server closes it once attached. */
    public static Builder forSource(FaultSource source) {
        return new Builder(null, Objects.requireNonNull(source, "source"));
    }

    /** Starts serving faults; a server that pinned everything has nothing to serve and starts nothing. */
    public void start() {
        if (loop != null && loop.onLoopThread()) {
            // Refused before the lock: close() may hold it, waiting for this very thread to end.
            throw new IllegalStateException("FaultServer.start() called on the fault loop's own thread (by its policy?):"
                    + " the loop is started already, and a close() in progress would wait for it (" + name + ")");
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the fault server of " + name + " is closed");
            }
            if (loop != null) {
                loop.start();
            }
            LOG.info("{}: {} ({})", name, decision.mode(), decision.reason());
        }
    }

    /** The mode the device got and why. */
    public DevicePolicyTable.Decision decision() {
        return decision;
    }

    /** Guest memory as the device sees it. */
    public GuestRegion region() {
        return region;
    }

    /**
     * The IOVA ranges declared pinned, mapped before the device ran or since: whole pages, merged, in
     * IOVA order; all of guest memory in mode NONE. Where faults are served, the demand map's
     * ({@link DemandMapPolicy#pinned()}): a range pinned on it since is in, and none is after its
     * {@link DemandMapPolicy#unmapAll()} (as after this server's close, which calls it).
     */
    public List<IovaRange> pinned() {
        if (demandMap != null) {
            return wholePages(demandMap.pinned(), UnixConstants.PAGE_SIZE);
        }
        return allPinned ? List.of(region.iovaRange()) : List.of();
    }

    /** The IOVA ranges mapped on demand: guest memory outside {@link #pinned()}. */
    public List<IovaRange> faultable() {
        return region.iovaRange().minus(pinned());
    }

    /** The loop that serves faults; empty when everything is pinned. */
    public Optional<FaultServiceLoop> loop() {
        return Optional.ofNullable(loop);
    }

    /** What faults map on demand; empty when everything is pinned. */
    public Optional<DemandMapPolicy> demandMap() {
        return Optional.ofNullable(demandMap);
    }

    /** The device, open and attached; empty for a {@link FaultSource}. */
    public Optional<VfioDevice> device() {
        return Optional.ofNullable(device);
    }

    /**
     * Stops the loop (it answers what it read), detaches the device (the kernel answers what came
     * after), unmaps the memory, then frees the page table, the queue, the device, the memory, the
     * IOAS and the iommufd. Every step after the loop's runs even if one before it failed; the
     * first failure is thrown with the others suppressed. The wait for the loop is not cut short by
     * an interrupt (the caller's interrupt status is kept): a cancelled task's try-with-resources
     * still tears everything down, and a policy that never returns holds the close forever (the log
     * says where the loop thread is after 5 s, 10, 20 and so on). A
     * policy that closes its own server gets an {@link IllegalStateException} before anything is
     * touched.
     */
    @Override
    public void close() throws VfioException {
        if (loop != null) {
            loop.refuseOnLoopThread("FaultServer.close");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            Teardown t = new Teardown();
            if (loop != null) {
                try {
                    loop.close();
                } catch (VfioException | RuntimeException | Error e) {
                    if (loop.isRunning()) {
                        throw e;
                    }
                    t.record(e); // the loop released what it holds: tear the rest down too
                }
            }
            closed = true;
            tearDown(t);
        }
    }

    private void tearDown(Teardown t) throws VfioException {
        if (attached) {
            t.run(device::detach);
        }
        if (source != null) {
            t.run(source::close);
        }
        if (demandMap != null) {
            t.run(demandMap::close);
        }
        if (allPinned) {
            t.run(() -> ioas.unmap(region.iova(), region.length()));
        }
        if (pageTable != null) {
            t.run(pageTable::close);
        }
        if (queue != null) {
            t.run(queue::close);
        }
        if (device != null) {
            t.run(device::close);
        }
        if (ownedMemory != null) {
            t.run(ownedMemory::close);
        }
        if (ioas != null) {
            t.run(ioas::close);
        }
        if (iommufd != null) {
            t.run(iommufd::close);
        }
        callerMemoryLease = null; // no fault comes any more: the caller's buffer may now close without a tombstone
        t.rethrow();
    }

    @Override
    public String toString() {
        return "fault server of " + name;
    }

    /** Runs teardown steps to the end, keeping the first failure and suppressing the rest. */
    private static final class Teardown {
        private Throwable first;

        interface Step {
            void run() throws VfioException;
        }

        /** Catches Errors too (a source's close that asserts): the steps after it still free what they hold. */
        void run(Step step) {
            try {
                step.run();
            } catch (Throwable e) {
                record(e);
            }
        }

        void record(Throwable e) {
            if (first == null) {
                first = e;
            } else {
                first.addSuppressed(e);
            }
        }

        void rethrow() throws VfioException {
            if (first instanceof VfioException v) {
                throw v;
            }
            if (first instanceof RuntimeException r) {
                throw r;
            }
            if (first instanceof Error e) {
                throw e;
            }
            if (first != null) { // a checked exception thrown past the compiler, e.g. by a Kotlin FaultSource
                throw new IllegalStateException("tearing down: " + first, first);
            }
        }
    }

    /** The choices of a fault server; {@link #open()} builds it. */
    public static final class Builder {
        private final PciAddress device;
        private final FaultSource source;
        private long size = 64L << 20;
        private DmaBuffer buffer;
        private long iova = -1;
        private final List<IovaRange> pins = new ArrayList<>();
        private DevicePolicyTable table;
        private FaultMediator mediator;
        private FaultPolicy policy;
        private int batch = FaultServiceLoop.DEFAULT_BATCH;
        private int window = 1;
        private FaultAround faultAround;
        private boolean checkPri = true;

        private Builder(PciAddress device, FaultSource source) {
            this.device = device;
            this.source = source;
        }

        /** Guest memory of {@code bytes}, reserved (not populated) and freed by the server (default 64 MiB). */
        public Builder memory(long bytes) {
            if (bytes <= 0 || bytes > Long.MAX_VALUE - UnixConstants.PAGE_SIZE + 1) {
                throw new IllegalArgumentException("guest memory needs a positive size a process can address, not " + bytes);
            }
            this.size = bytes;
            this.buffer = null;
            return this;
        }

        /** Guest memory the caller owns and frees after closing the server. */
        public Builder memory(DmaBuffer guestMemory) {
            this.buffer = Objects.requireNonNull(guestMemory, "guestMemory");
            return this;
        }

        /** Where the device sees guest memory (default: 1 GiB, or the source's default); page-aligned. */
        public Builder iova(long iova) {
            if (iova < 0) {
                throw new IllegalArgumentException(String.format("guest memory needs an IOVA below 2^63, not 0x%x", iova));
            }
            if (iova % UnixConstants.PAGE_SIZE != 0) {
                throw new IllegalArgumentException(String.format("guest memory needs a page-aligned IOVA, not 0x%x", iova));
            }
            this.iova = iova;
            return this;
        }

        /** A range of offsets into guest memory that must never fault: pinned and mapped in every mode. */
        public Builder pin(IovaRange offsets) {
            pins.add(Objects.requireNonNull(offsets, "offsets"));
            return this;
        }

        /** The device policy table (default: the built-in one). */
        public Builder policies(DevicePolicyTable table) {
            this.table = Objects.requireNonNull(table, "table");
            return this;
        }

        /** What the device must never fault on, if the table marks it SELECTIVE. */
        public Builder mediator(FaultMediator mediator) {
            this.mediator = Objects.requireNonNull(mediator, "mediator");
            return this;
        }

        /**
         * Answers faults instead of the demand map (which still maps the pinned ranges). A
         * {@link DemandMapPolicy} is refused: the server's IOAS is its own, so one built by the caller
         * maps into another, answers SUCCESS for pages the device cannot reach, and the device faults
         * on them again and again (the same holds for a policy that calls one; only the type is
         * checked). Demand mapping is the default; {@link #window(int)} and
         * {@link #faultAround(long)} tune it.
         */
        public Builder policy(FaultPolicy policy) {
            if (Objects.requireNonNull(policy, "policy") instanceof DemandMapPolicy) {
                throw new IllegalArgumentException("FaultServer.Builder.policy: a DemandMapPolicy maps into the DmaMapper"
                        + " it was built on, never into the server's own IOAS, so the device would fault again on every"
                        + " page it answered SUCCESS; the server maps on demand by default: leave policy() out and"
                        + " set window() or faultAround(), and reach its policy through FaultServer.demandMap()");
            }
            this.policy = policy;
            return this;
        }

        /** Fault records per read (default {@link FaultServiceLoop#DEFAULT_BATCH}). */
        public Builder batch(int records) {
            this.batch = FaultServiceLoop.checkBatch(records);
            return this;
        }

        /** Pages mapped per fault from the faulting one, with the fault-around window (default 1). */
        public Builder window(int pages) {
            this.window = DemandMapPolicy.checkWindow(pages);
            return this;
        }

        /** The aligned window a fault maps around the faulting page (default: that page alone); see {@link FaultAround}. */
        public Builder faultAround(long bytes) {
            this.faultAround = FaultAround.of(bytes);
            return this;
        }

        /**
         * Attaches a device the table lets fault to a faulting page table even when its config space
         * shows no PRI (for labs: the kernel then says what it thinks; today's emulated devices are
         * refused). Off by default: such a device is pinned and mapped instead.
         */
        public Builder skipPriCheck() {
            this.checkPri = false;
            return this;
        }

        /** Opens everything; serving begins with {@link FaultServer#start()}. */
        public FaultServer open() throws VfioException {
            // Refused before anything is opened in the kernel.
            long bytes = buffer != null ? buffer.size() : (size + UnixConstants.PAGE_SIZE - 1) & -UnixConstants.PAGE_SIZE;
            for (IovaRange offsets : pins) {
                if (Long.compareUnsigned(offsets.last(), bytes) >= 0) {
                    throw new IllegalArgumentException("pinned range " + offsets + " (offsets) is outside guest memory of "
                            + bytes + " bytes");
                }
            }
            if (table == null) {
                table = DevicePolicyTable.builtIn();
            }
            if (faultAround == null) {
                faultAround = FaultAround.onePage();
            }
            return new FaultServer(this);
        }
    }
}
