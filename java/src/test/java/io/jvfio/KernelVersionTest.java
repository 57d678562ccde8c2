package io.jvfio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KernelVersionTest {
    @Test
    void releasesParseToTheirLeadingNumbers() {
        assertEquals(new KernelVersion(6, 12, 118), KernelVersion.parse("6.12.118"));
        assertEquals(new KernelVersion(7, 2, 12), KernelVersion.parse("7.2.12-1~bpo13+1-amd64"));
        assertEquals(new KernelVersion(6, 18, 44), KernelVersion.parse("6.18.44-fc-v1272\n"), "as /proc gives it");
        assertEquals(new KernelVersion(6, 15, 0), KernelVersion.parse("6.15-rc3"));
        assertEquals(new KernelVersion(7, 2, 0), KernelVersion.parse("7.2"));
        assertEquals("6.12.118", KernelVersion.parse("6.12.118-amd64").toString());
    }

    @Test
    void aStringThatIsNoReleaseIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelVersion.parse("linux"));
        assertTrue(e.getMessage().contains("'linux'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelVersion.parse("6"));
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class, () -> KernelVersion.parse("99999999999.1"));
        assertTrue(huge.getMessage().contains("'99999999999.1' (a part is above 2147483647)"), huge.getMessage());
    }

    @Test
    void versionsCompareByMajorMinorPatch() {
        KernelVersion v612 = KernelVersion.parse("6.12.118");
        assertTrue(v612.atLeast(6, 12));
        assertTrue(v612.atLeast(5, 19));
        assertFalse(v612.atLeast(6, 13));
        assertFalse(v612.atLeast(7, 0));
        assertTrue(KernelVersion.parse("7.2.1").atLeast(6, 15));
        assertTrue(v612.compareTo(KernelVersion.parse("6.12.9")) > 0, "patch compares as a number");
        assertTrue(v612.compareTo(KernelVersion.parse("6.13")) < 0);
    }

    @Test
    void theRunningKernelIsTheOneTheJvmReports() {
        assertEquals(KernelVersion.parse(System.getProperty("os.version")), KernelVersion.running());
    }

    @Test
    void featuresKnowTheVersionThatAddedThem() {
        assertEquals(new KernelVersion(6, 13, 0), KernelFeature.FAULT_ON_PAGING_HWPT.since());
        assertEquals(new KernelVersion(6, 13, 0), KernelFeature.IOAS_MAP_FILE.since());
        assertEquals(new KernelVersion(6, 15, 0), KernelFeature.DEVICE_PASID_ATTACH.since());
        assertEquals(new KernelVersion(6, 15, 0), KernelFeature.HWPT_ALLOC_PASID.since());
        assertFalse(KernelFeature.IOAS_MAP_FILE.isSupportedBy(KernelVersion.parse("6.12.118")));
        assertTrue(KernelFeature.IOAS_MAP_FILE.isSupportedBy(KernelVersion.parse("6.13.0")));
    }
}
