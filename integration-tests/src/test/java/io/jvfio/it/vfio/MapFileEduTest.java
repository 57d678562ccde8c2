package io.jvfio.it.vfio;

import io.jvfio.it.IntelIommuGuest;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.KernelFeature;
import io.jvfio.KernelVersion;
import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import io.jvfio.cli.demo.Edu;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.testing.HugePagePool;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * IOMMU_IOAS_MAP_FILE (Linux 6.13+): guest memory handed to the IOAS by memfd and offset, not by user
 * address, the way a VMM shares guest RAM. edu's DMA engine proves the mapping by copying through it,
 * with 4 KiB pages and with 2 MiB hugetlb pages. On 6.12 each test checks the refusal naming 6.13.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@IntelIommuGuest
class MapFileEduTest {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final long HUGE_PAGE = 2L << 20;
    private static final boolean MAP_FILE = KernelFeature.IOAS_MAP_FILE.isSupportedBy(KernelVersion.running());

    private EduOnIommufd fixture;
    private IoAddressSpace ioas;
    private Edu edu;
    private HugePagePool hugePages;

    @BeforeAll
    void open() throws Exception {
        // The guest boots with no huge pages reserved: reserve two for the hugetlb memfd, give them back after.
        hugePages = HugePagePool.reserve(2);
        fixture = new EduOnIommufd();
        ioas = fixture.ioas;
        edu = fixture.edu;
    }

    @AfterAll
    void close() throws Exception {
        try {
            if (fixture != null) {
                fixture.close();
            }
        } finally {
            if (hugePages != null) {
                hugePages.close();
            }
        }
    }

    /** edu copies a pattern from one page of the file to another; both halves go through the file mapping. */
    private void roundTripThroughTheFile(DmaBuffer file, long iova) throws Exception {
        byte[] pattern = new byte[2000];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = (byte) (i * 11 + 5);
        }
        file.buffer().put(0, pattern);
        edu.dmaToDevice(iova, 0, pattern.length);
        edu.dmaToRam(0, iova + 4096, pattern.length);
        byte[] back = new byte[pattern.length];
        file.buffer().get(4096, back);
        assertArrayEquals(pattern, back, "edu's copy landed in the memfd's pages");
    }

    private void mapFileRoundTrip(DmaBuffer file, long iova) throws Exception {
        if (!MAP_FILE) {
            VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class,
                    () -> ioas.mapFile(file, 0, file.size(), iova, RW));
            assertEquals(KernelFeature.IOAS_MAP_FILE, e.feature());
            assertTrue(e.getMessage().contains("IOMMU_IOAS_MAP_FILE") && e.getMessage().contains("Linux 6.13"), e.getMessage());
            return;
        }
        ioas.mapFile(file, 0, file.size(), iova, RW);
        try {
            roundTripThroughTheFile(file, iova);
        } finally {
            assertEquals(file.size(), ioas.unmap(iova, file.size()));
        }
        long chosen = ioas.mapFile(file, 0, file.size(), RW);
        try {
            roundTripThroughTheFile(file, chosen);
        } finally {
            assertEquals(file.size(), ioas.unmap(chosen, file.size()));
        }
    }

    @Test
    void aMemfdMappedByFileAndOffsetCarriesEdusDma() throws Exception {
        try (DmaBuffer file = DmaBuffer.memfd("jvfio-edu", 64 * 1024, false)) {
            mapFileRoundTrip(file, 0x800000);
        }
    }

    @Test
    void aHugetlbMemfdMappedByFileCarriesEdusDma() throws Exception {
        try (DmaBuffer file = DmaBuffer.memfd("jvfio-edu-huge", HUGE_PAGE, true)) {
            assertEquals(HUGE_PAGE, file.size());
            mapFileRoundTrip(file, 0x1000000);
        }
    }

    @Test
    void aMappingPastTheFilesEndIsRefusedNamingTheFile() throws Exception {
        try (DmaBuffer file = DmaBuffer.memfd("jvfio-edu-short", 16 * 1024, false)) {
            VfioException e = assertThrows(VfioException.class, () -> ioas.mapFile(file, 0, 64 * 1024, 0x2000000, RW));
            if (MAP_FILE) {
                assertFalse(e instanceof VfioUnsupportedException, "7.2 has MAP_FILE: the refusal is about the file: " + e);
                assertTrue(e.getMessage().contains("IOMMU_IOAS_MAP_FILE") && e.getMessage().contains("jvfio-edu-short")
                        && e.getMessage().contains("length 0x10000"), e.getMessage());
            } else {
                assertEquals(KernelFeature.IOAS_MAP_FILE, assertInstanceOf(VfioUnsupportedException.class, e).feature());
            }
        }
    }
}
