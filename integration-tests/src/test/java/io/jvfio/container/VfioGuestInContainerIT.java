package io.jvfio.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.jvfio.pci.PciAddress;
import io.jvfio.testing.junit.GuestDevice;
import io.jvfio.testing.junit.VfioGuest;
import io.jvfio.testing.junit.VfioGuestDevices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * @VfioGuest on a host without QEMU: the guest boots inside the project's image through
 * Testcontainers (the runner forced to the container one, since this host has QEMU), and the host
 * still gets each method's result. The engine and image are those of {@link GuestSuiteInContainerIT}.
 */
class VfioGuestInContainerIT {
    @VfioGuest(devices = GuestDevice.EDU, kernel = "6.12")
    static class Sample {
        @Test
        void seesItsDevice(VfioGuestDevices devices) {
            PciAddress edu = devices.address(GuestDevice.EDU);
            assertTrue(Files.isDirectory(Path.of("/sys/bus/pci/devices", edu.toString())), edu + " is not in the guest");
            assertTrue(System.getProperty("os.version").startsWith("6.12."), "not the 6.12 lane: " + System.getProperty("os.version"));
        }

        @Test
        void failsOnPurpose() {
            assertEquals("host", "guest in a container", "deliberate failure");
        }

        @Test
        void skipsOnPurpose() {
            Assumptions.assumeTrue(false, "deliberate skip");
        }
    }

    @BeforeEach
    void engineAndImage() {
        GuestSuiteInContainerIT.engineAndImage();
    }

    @Test
    void aGuestInTheContainerReportsEachMethodOnTheHost() {
        // Every finished test and container by name: a class that failed as a whole shows up under its own.
        Map<String, TestExecutionResult> results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(Sample.class))
                .configurationParameter("jvfio.guest.runner", "container")
                .configurationParameter("jvfio.guest.image", GuestSuiteInContainerIT.IMAGE)
                .configurationParameter("jvfio.guest.out", Path.of("target", "container", "vfio-guest").toAbsolutePath().toString())
                .execute().allEvents().finished().stream()
                .collect(Collectors.toMap(e -> e.getTestDescriptor().getSource().orElse(null) instanceof MethodSource m
                                ? m.getMethodName() : e.getTestDescriptor().getDisplayName(),
                        e -> e.getPayload(TestExecutionResult.class).orElseThrow(), (a, b) -> a));

        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(results, "seesItsDevice"), () -> describe(results));
        assertEquals(TestExecutionResult.Status.FAILED, status(results, "failsOnPurpose"), () -> describe(results));
        assertTrue(results.get("failsOnPurpose").getThrowable().orElseThrow().getMessage()
                .startsWith("deliberate failure ==> expected: <host>"), () -> describe(results));
        assertEquals(TestExecutionResult.Status.ABORTED, status(results, "skipsOnPurpose"), () -> describe(results));
        assertEquals("Assumption failed: deliberate skip",
                results.get("skipsOnPurpose").getThrowable().orElseThrow().getMessage(), () -> describe(results));
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, status(results, "VfioGuestInContainerIT$Sample"), () -> describe(results));
    }

    private static TestExecutionResult.Status status(Map<String, TestExecutionResult> results, String name) {
        TestExecutionResult result = results.get(name);
        return result == null ? null : result.getStatus();
    }

    private static String describe(Map<String, TestExecutionResult> results) {
        return results.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining("\n"));
    }
}
