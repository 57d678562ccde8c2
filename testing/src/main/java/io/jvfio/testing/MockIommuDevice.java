package io.jvfio.testing;

import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.IovaRange;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * The kernel's iommufd selftest mock device (CONFIG_IOMMUFD_TEST) wired for I/O page faults, the
 * way tools/testing/selftests/iommu does it, in one of two {@link Topology topologies}: a mock
 * device on an IOAS whose faulting page table is either nested on a NEST_PARENT table (every kernel
 * with fault queues) or an ordinary paging table over the IOAS (Linux 6.13+, the way a VMM attaches
 * a passthrough device). Then {@link #trigger} makes the kernel report a page request through the
 * real fault fd. Needs a kernel booted without an active hardware IOMMU driver claiming the mock
 * (intel_iommu=off). {@link MockFaultSource} hands one to a {@link io.jvfio.fault.FaultServer}.
 */
public final class MockIommuDevice implements AutoCloseable {
    static {
        TestingLibrary.ensureAvailability();
    }

    /** Which page table the mock device faults through. */
    public enum Topology {
        /** A nested (stage-1) table on a NEST_PARENT table over the IOAS: fault queues from Linux 6.11. */
        NESTED,
        /** A paging table over the IOAS with the fault queue on it: Linux 6.13 and later. */
        PAGING
    }

    /**
     * The mock domain's smallest IOMMU page: 2 KiB (MOCK_IO_PAGE_SIZE, half the CPU page, in 6.12's
     * selftest.c; MOCK_PAGE_SIZE in 7.2's iommufd_test.h).
     */
    public static final long IOMMU_PAGE_SIZE = 2048;

    private final Iommufd iommufd;
    private final IoAddressSpace ioas;
    private final int stdevId;
    private final int deviceId;
    /** Where the IOAS's mappings land: the NEST_PARENT table, or the faulting paging table itself. */
    private final HwPageTable mappingTable;
    private final HwPageTable faulting;

    private MockIommuDevice(Iommufd iommufd, IoAddressSpace ioas, int stdevId, int deviceId, HwPageTable mappingTable,
                            HwPageTable faulting) {
        this.iommufd = iommufd;
        this.ioas = ioas;
        this.stdevId = stdevId;
        this.deviceId = deviceId;
        this.mappingTable = mappingTable;
        this.faulting = faulting;
    }

    /** Creates the mock device on {@code ioas} and routes its faults to {@code queue} through a nested table. */
    public static MockIommuDevice create(IoAddressSpace ioas, FaultQueue queue) throws VfioException {
        return create(ioas, queue, Topology.NESTED);
    }

    /**
     * Creates the mock device on {@code ioas} and routes its faults to {@code queue} through a table of
     * the given topology. {@link Topology#PAGING} before Linux 6.13 fails with the kernel's refusal.
     */
    public static MockIommuDevice create(IoAddressSpace ioas, FaultQueue queue, Topology topology) throws VfioException {
        return create(ioas, queue, topology, EnumSet.noneOf(HwptFlag.class));
    }

    /**
     * As {@link #create(IoAddressSpace, FaultQueue, Topology)}, with {@code mappingFlags} on the table
     * the IOAS's mappings land in ({@link #mappingTable()}): {@link HwptFlag#DIRTY_TRACKING} to read
     * back, through {@link #markDirty} and {@link HwPageTable#readDirty}, how large its IOMMU pages are.
     */
    public static MockIommuDevice create(IoAddressSpace ioas, FaultQueue queue, Topology topology, Set<HwptFlag> mappingFlags)
            throws VfioException {
        Iommufd iommufd = ioas.iommufd();
        ByteBuffer out = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        int r = IommufdMockNative.mockDomain(iommufd.fd(), ioas.id(), RawIo.address(out));
        if (r < 0) {
            throw VfioException.of("IOMMU_TEST_OP_MOCK_DOMAIN", ioas.toString(), -r,
                    "needs CONFIG_IOMMUFD_TEST, and on 6.12 a boot with intel_iommu=off (the mock will not bind while VT-d is active)");
        }
        int stdev = out.getInt(0);
        int device = out.getInt(8);
        HwPageTable parent = null;
        try {
            HwPageTable faulting;
            if (topology == Topology.PAGING) {
                faulting = HwPageTable.allocate(iommufd, device, ioas.id(), mappingFlags, queue);
            } else {
                EnumSet<HwptFlag> parentFlags = EnumSet.of(HwptFlag.NEST_PARENT);
                parentFlags.addAll(mappingFlags);
                parent = HwPageTable.allocate(iommufd, device, ioas.id(), parentFlags);
                ByteBuffer data = ByteBuffer.allocate(IommufdMockConstants.HWPT_SELFTEST_SIZE)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(IommufdMockConstants.HWPT_SELFTEST_IOTLB, IommufdMockConstants.IOTLB_DEFAULT);
                faulting = HwPageTable.allocate(iommufd, device, parent.id(), EnumSet.noneOf(HwptFlag.class),
                        IommufdMockConstants.HWPT_DATA_SELFTEST, data, queue);
            }
            try {
                check(IommufdMockNative.mockDomainReplace(iommufd.fd(), stdev, faulting.id()),
                        "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE", "mock device " + stdev + " -> " + faulting);
            } catch (VfioException e) {
                faulting.close();
                throw e;
            }
            return new MockIommuDevice(iommufd, ioas, stdev, device, parent != null ? parent : faulting, faulting);
        } catch (VfioException | RuntimeException e) {
            if (parent != null) {
                try {
                    parent.close();
                } catch (VfioException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            destroyQuietly(iommufd, stdev, e);
            throw e;
        }
    }

    /** The IOVA window the mock domain accepts. */
    public static IovaRange aperture() {
        return new IovaRange(IommufdMockConstants.APERTURE_START, IommufdMockConstants.APERTURE_LAST);
    }

    /** The iommufd device id that fault records carry in dev_id. */
    public int deviceId() {
        return deviceId;
    }

    /** The page table where the IOAS's mappings, demand-mapped pages among them, land. */
    public HwPageTable mappingTable() {
        return mappingTable;
    }

    /** The page table the mock device is attached to, whose faults reach the queue. */
    public HwPageTable faultingTable() {
        return faulting;
    }

    public IoAddressSpace ioas() {
        return ioas;
    }

    /** Reports one page request (a one-fault group with LAST_PAGE); pasid 0 means no PASID. */
    public void trigger(int pasid, int grpid, int perm, long addr) throws VfioException {
        int r = IommufdMockNative.triggerIopf(iommufd.fd(), deviceId, pasid, grpid, perm, addr);
        if (r < 0) {
            throw VfioException.of("IOMMU_TEST_OP_TRIGGER_IOPF", String.format("mock device %d, addr 0x%x", deviceId, addr), -r, null);
        }
    }

    /** Reports {@code count} page requests at addr, addr + stride, ...; returns how many were delivered. */
    public long triggerBurst(int pasid, int perm, long addr, long stride, long count) throws VfioException {
        return check(IommufdMockNative.triggerBurst(iommufd.fd(), deviceId, pasid, 0, perm, addr, stride, count),
                "IOMMU_TEST_OP_TRIGGER_IOPF", String.format("mock device %d, burst of %d at 0x%x", deviceId, count, addr));
    }

    /** Whether the mock domain maps {@code [iova, iova + length)} to the memory at {@code va}. */
    public boolean mapsTo(long iova, long length, long va) {
        return IommufdMockNative.checkMap(iommufd.fd(), mappingTable.id(), iova, length, va) == 0;
    }

    /**
     * Sets the dirty bit of the IOMMU page of {@link #mappingTable()} that holds {@code iova}, as a DMA
     * write there would (IOMMU_TEST_OP_DIRTY, in units of {@link #IOMMU_PAGE_SIZE}: 6.12's mock keys
     * its pages by them). The table needs {@link HwptFlag#DIRTY_TRACKING} and tracking started
     * ({@link HwPageTable#setDirtyTracking}).
     */
    public void markDirty(long iova) throws VfioException {
        long page = iova & -IOMMU_PAGE_SIZE;
        String object = String.format("%s, iova 0x%x", mappingTable, page);
        int r = IommufdMockNative.markDirty(iommufd.fd(), mappingTable.id(), page, IOMMU_PAGE_SIZE);
        if (r < 0) {
            throw VfioException.of("IOMMU_TEST_OP_DIRTY", object, -r, "the mock needs HwptFlag.DIRTY_TRACKING on its mapping"
                    + " table and tracking started (HwPageTable.setDirtyTracking)");
        }
        if (r == 0) { // 6.12 marks only a mapped page, and says so by its count
            throw new VfioException("IOMMU_TEST_OP_DIRTY", object, "nothing is mapped there to mark dirty");
        }
    }

    /**
     * The CPU pages of {@code mapped} (mapped throughout) that one DMA write at {@code iova} dirties,
     * read and cleared: how large the IOMMU page holding {@code iova} is, as the IOMMU keeps dirt per
     * IOMMU page. Read in CPU pages: 7.2's mock, read in its own 2 KiB pages, reported 6 KiB for
     * windows of 16 KiB and more. Needs tracking started ({@link HwPageTable#setDirtyTracking}).
     */
    public int pagesDirtiedByOneWrite(long iova, IovaRange mapped) throws VfioException {
        markDirty(iova);
        return mappingTable.readDirty(mapped.start(), mapped.length(), DmaBuffer.pageSize(), true)
                .cardinality();
    }

    /** Detaches from the faulting page table (the kernel answers its pending faults INVALID), then destroys all. */
    @Override
    public void close() throws VfioException {
        VfioException first = null;
        try {
            check(IommufdMockNative.mockDomainReplace(iommufd.fd(), stdevId, ioas.id()),
                    "IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE", "mock device " + stdevId + " -> " + ioas);
        } catch (VfioException e) {
            first = e;
        }
        AutoCloseable[] tables = mappingTable == faulting ? new AutoCloseable[] {faulting}
                : new AutoCloseable[] {faulting, mappingTable};
        for (AutoCloseable c : tables) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof VfioException ve ? ve : new VfioException("close", c.toString(), e.getMessage());
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        destroyQuietly(iommufd, stdevId, first);
        if (first != null) {
            throw first;
        }
    }

    /**
     * IOMMU_DESTROY of the mock device {@code id}, a failure added to {@code primary}: once the iommufd
     * is closed, the kernel destroyed it with the context.
     */
    private static void destroyQuietly(Iommufd iommufd, int id, Throwable primary) {
        if (!iommufd.isOpen()) {
            return;
        }
        int r = IommufdMockNative.destroy(iommufd.fd(), id);
        if (r < 0 && primary != null) {
            primary.addSuppressed(VfioException.of("IOMMU_DESTROY", "mock device " + id, -r, null));
        }
    }

    private static long check(long result, String operation, String object) throws VfioException {
        if (result < 0) {
            throw VfioException.of(operation, object, (int) -result, null);
        }
        return result;
    }
}
