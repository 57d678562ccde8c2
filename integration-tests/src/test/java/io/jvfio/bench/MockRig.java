package io.jvfio.bench;

import io.jvfio.VfioException;
import io.jvfio.iommufd.FaultQueue;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.HwptFlag;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.IovaRange;
import io.jvfio.testing.MockIommuDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * The demand-paging benchmarks' fault source: an iommufd with an IOAS, a fault queue and the kernel's
 * mock device faulting into it through a nested page table (every kernel with fault queues, 6.12 as
 * 7.2) whose parent, where the mappings land, can track dirty pages: how the benchmarks read back the
 * size of the IOMMU pages a window became. Guest memory sits at {@link #BASE}, the start of the mock's aperture.
 */
final class MockRig implements AutoCloseable {
    static final long BASE = MockIommuDevice.aperture().start();
    static final int PAGE = 4096;

    final Iommufd iommufd;
    final IoAddressSpace ioas;
    final FaultQueue queue;
    final MockIommuDevice mock;

    MockRig() throws VfioException {
        iommufd = Iommufd.open();
        ioas = IoAddressSpace.allocate(iommufd);
        queue = FaultQueue.allocate(iommufd);
        mock = MockIommuDevice.create(ioas, queue, MockIommuDevice.Topology.NESTED, EnumSet.of(HwptFlag.DIRTY_TRACKING));
    }

    /**
     * The IOMMU page the mock domain maps the first page of {@code area} with, read back through dirty
     * tracking, which the IOMMU keeps per IOMMU page: one write there dirties all of it. Read in 4 KiB
     * pages, so 4 KiB means 4 KiB or less (6.12's mock maps 2 KiB pages). Tracking is on only for this
     * reading.
     */
    long iommuPageAt(IovaRange area) throws VfioException {
        HwPageTable table = mock.mappingTable();
        table.setDirtyTracking(true); // which clears what was dirty
        try {
            return mock.pagesDirtiedByOneWrite(area.start(), area) * (long) PAGE;
        } finally {
            table.setDirtyTracking(false);
        }
    }

    /** Unmaps whatever is mapped in {@code [BASE, BASE + length)}, in one IOMMU_IOAS_UNMAP; the bytes unmapped. */
    long unmapGuest(long length) throws VfioException {
        try {
            return ioas.unmap(BASE, length);
        } catch (VfioException e) {
            if ("ENOENT".equals(e.errnoName())) {
                return 0;
            }
            throw e;
        }
    }

    /** The bytes this process has pinned, as the kernel accounts them (VmPin: iommufd charges its pins there). */
    static long pinnedBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmPin:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("/proc/self/status has no VmPin line");
    }

    @Override
    public void close() throws VfioException {
        mock.close();
        queue.close();
        ioas.close();
        iommufd.close();
    }
}
