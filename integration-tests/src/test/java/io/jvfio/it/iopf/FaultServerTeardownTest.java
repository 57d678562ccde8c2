package io.jvfio.it.iopf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.fault.DemandMapPolicy;
import io.jvfio.fault.DeviceFaultMode;
import io.jvfio.fault.FaultServer;
import io.jvfio.internal.FaultConstants;
import io.jvfio.iommufd.testing.MockIommuDevice;
import io.jvfio.memory.IovaRange;
import org.junit.jupiter.api.Test;

/** The library's FaultServer over the kernel's fault mock: what it sets up, and the order it tears down in. */
class FaultServerTeardownTest {
    private static final int PAGE = 4096;
    private static final int PAGES = 4096;

    @Test
    void closeStopsServingBeforeItUnmapsSoNoFaultMapsAPageBackIn() throws Exception {
        FaultServer server = FaultServer.forMock().memory((long) PAGES * PAGE).pin(IovaRange.ofLength(0, 16 * PAGE)).open();
        DemandMapPolicy demandMap = server.demandMap().orElseThrow();
        long iova = server.region().iova();
        try {
            assertEquals(DeviceFaultMode.ARBITRARY_FAULTS, server.decision().mode());
            assertTrue(demandMap.isMapped(iova) && !demandMap.isMapped(iova + 16 * PAGE), "pins are mapped before serving");
            MockIommuDevice mock = server.mock().orElseThrow();
            // Not started: every fault is still pending when close begins, and the loop answers them as it stops.
            mock.triggerBurst(0, FaultConstants.PERM_READ | FaultConstants.PERM_WRITE, iova + 16 * PAGE, PAGE, PAGES - 16);
        } finally {
            server.close();
        }
        assertEquals(PAGES - 16, server.loop().orElseThrow().stats().success(), "close answered the pending faults");
        for (long page = iova; page < iova + (long) PAGES * PAGE; page += PAGE) {
            assertTrue(!demandMap.isMapped(page), String.format("0x%x was mapped after close unmapped guest memory", page));
        }
    }
}
