package io.jvfio.testing.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.jvfio.pci.PciAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/**
 * Runs sample @VfioGuest classes with the JUnit Platform's test kit, their guest run by the real
 * harness with a stand-in for QEMU ({@link FakeQemuRunner}), and checks what the host reports per method.
 */
class VfioGuestExtensionTest {
    /** Counts the sample bodies that ran in this JVM, the host: the guest is another JVM. */
    static final AtomicInteger HOST_RUNS = new AtomicInteger();

    @BeforeEach
    void noBodyRanYet() {
        HOST_RUNS.set(0);
    }

    @VfioGuest(devices = {GuestDevice.EDU, GuestDevice.NON_VIABLE_PAIR})
    static class GuestSample {
        @BeforeAll
        static void setUp() {
            HOST_RUNS.incrementAndGet();
        }

        @BeforeEach
        void each() {
            HOST_RUNS.incrementAndGet();
        }

        @Test
        void passes(VfioGuestDevices devices) {
            HOST_RUNS.incrementAndGet();
            assertEquals(PciAddress.parse("0000:00:04.0"), devices.address(GuestDevice.EDU));
            assertEquals(PciAddress.parse("0000:00:08.1"), devices.address(GuestDevice.NON_VIABLE_PAIR));
        }

        @Test
        void fails() {
            HOST_RUNS.incrementAndGet();
            assertEquals("one", "two", "the guest disagrees");
        }

        @Test
        void throwsWithACause() throws IOException {
            HOST_RUNS.incrementAndGet();
            throw new IOException("outer", new IllegalStateException("inner"));
        }

        @Test
        void skips() {
            HOST_RUNS.incrementAndGet();
            assumeTrue(false, "no such device in this guest");
        }

        @Test
        void failsAndSoDoesItsCleanUp() throws Exception {
            HOST_RUNS.incrementAndGet();
            try (AutoCloseable device = () -> {
                throw new IOException("close", new IllegalStateException("reset timed out"));
            }) {
                fail("the DMA read back zeros");
            }
        }

        @Test
        void forgotten() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void eachTestEndsOnTheHostAsItEndedInTheGuestAndNoBodyRunsOnTheHost() {
        EngineExecutionResults results = run(GuestSample.class, FakeQemuRunner.class);
        Map<String, TestExecutionResult> tests = finishedTests(results);

        assertEquals(TestExecutionResult.Status.SUCCESSFUL, tests.get("passes").getStatus(), () -> tests.get("passes").toString());
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, tests.get("forgotten").getStatus());

        AssertionFailedError fails = assertInstanceOf(AssertionFailedError.class, throwable(tests, "fails"));
        assertEquals("the guest disagrees ==> expected: <one> but was: <two>", fails.getMessage());
        assertEquals("one", fails.getExpected().getValue());
        assertEquals("two", fails.getActual().getValue());
        assertGuestStack(fails, "fails");

        Throwable thrown = throwable(tests, "throwsWithACause");
        assertEquals("java.io.IOException: outer", thrown.getMessage());
        assertGuestStack(thrown, "throwsWithACause");
        assertNotNull(thrown.getCause(), "the guest's cause");
        assertEquals("java.lang.IllegalStateException: inner", thrown.getCause().toString());

        // A failing close (or @AfterEach) beside a failing test: the guest's suppressed throwable, and its cause, cross.
        Throwable cleanUp = throwable(tests, "failsAndSoDoesItsCleanUp");
        assertEquals("the DMA read back zeros", cleanUp.getMessage());
        assertEquals(1, cleanUp.getSuppressed().length, () -> "suppressed: " + List.of(cleanUp.getSuppressed()));
        assertEquals("java.io.IOException: close", cleanUp.getSuppressed()[0].toString());
        assertEquals("java.lang.IllegalStateException: reset timed out", String.valueOf(cleanUp.getSuppressed()[0].getCause()));
        assertEquals(null, cleanUp.getCause());

        TestAbortedException skipped = assertInstanceOf(TestAbortedException.class, throwable(tests, "skips"));
        assertEquals("Assumption failed: no such device in this guest", skipped.getMessage());

        assertEquals(0, HOST_RUNS.get(), "sample bodies or lifecycle methods that ran on the host");
    }

    @Test
    void aTestTheGuestDidNotReportFailsSayingSo() {
        Map<String, TestExecutionResult> tests = finishedTests(run(GuestSample.class, ForgetfulGuestRunner.class));

        Throwable forgotten = throwable(tests, "forgotten");
        assertTrue(forgotten.getMessage().startsWith("the guest did not report forgotten() ([class:"
                + GuestSample.class.getName() + "]/[method:forgotten()]) among its"), forgotten.getMessage());
        assertTrue(forgotten.getMessage().contains("serial.log"), forgotten.getMessage());
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, tests.get("passes").getStatus());
        assertEquals(0, HOST_RUNS.get());
    }

    @VfioGuest
    static class FailingSetupSample {
        @BeforeAll
        static void setUp() {
            throw new IllegalStateException("edu has no IOMMU group");
        }

        @Test
        void usesEdu() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void aClassWhoseSetUpFailedInTheGuestFailsEachTestAndTheClassWithTheGuestsReason() {
        EngineExecutionResults results = run(FailingSetupSample.class, FakeQemuRunner.class);

        Throwable test = throwable(finishedTests(results), "usesEdu");
        assertEquals("did not run in the guest: VfioGuestExtensionTest$FailingSetupSample failed before it: edu has no"
                + " IOMMU group",
                test.getMessage());
        assertEquals("java.lang.IllegalStateException: edu has no IOMMU group", test.getCause().getMessage());
        assertEquals("java.lang.IllegalStateException: edu has no IOMMU group", classFailure(results).getMessage());
        assertEquals(0, HOST_RUNS.get());
    }

    @VfioGuest(kernelArgs = "jvfio.fake.panic")
    static class UnbootableSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void aGuestThatCannotBootFailsTheClassWithTheReasonAndTheSerialLog() {
        EngineExecutionResults results = run(UnbootableSample.class, FakeQemuRunner.class);

        String message = classFailure(results).getMessage();
        Path serial = outOf(UnbootableSample.class).resolve("serial.log");
        assertEquals(UnbootableSample.class.getName() + " did not run in the guest (exit status 1): the vfio guest"
                + " ended without reporting a status (QEMU exit 0; serial log: " + serial + ")", message);
        assertTrue(read(serial).contains("Kernel panic"), "the serial log holds the guest's last words");
        results.testEvents().assertStatistics(s -> s.started(0));
        assertEquals(0, HOST_RUNS.get());
    }

    @VfioGuest(kernelArgs = "jvfio.fake.hang", timeoutSeconds = 2)
    static class HangingSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void aGuestThatHangsFailsTheClassWhenItsTimeIsUp() {
        EngineExecutionResults results = run(HangingSample.class, FakeQemuRunner.class);

        String message = classFailure(results).getMessage();
        assertEquals(HangingSample.class.getName() + " did not run in the guest (exit status 1): the vfio guest timed"
                + " out after 2s (serial log: " + outOf(HangingSample.class).resolve("serial.log") + ")", message);
        results.testEvents().assertStatistics(s -> s.started(0));
    }

    @VfioGuest(kernelArgs = "jvfio.fake.noboot", bootTimeoutSeconds = 2)
    static class NeverBootingSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void aGuestThatNeverGetsToItsInitFailsAfterTheBootTimeoutNotTheWholeTimeout() {
        EngineExecutionResults results = run(NeverBootingSample.class, FakeQemuRunner.class);

        String message = classFailure(results).getMessage();
        assertTrue(message.startsWith(NeverBootingSample.class.getName() + " did not run in the guest (exit status 1): the"
                + " vfio guest did not boot in 2s: its init never reported JVFIO-GUEST-READY; its console ended with:"
                + " '/ # (a rescue shell)' (kernel arguments added: jvfio.fake.noboot; serial log: "), message);
        results.testEvents().assertStatistics(s -> s.started(0));
    }

    @VfioGuest(kernelArgs = "jvfio.fake.noboot", timeoutSeconds = 2)
    static class NeverBootingInItsWholeTimeSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void aGuestThatNeverBootsIsSaidNotToBootAlsoWhenTheWholeTimeoutEndsFirst() {
        EngineExecutionResults results = run(NeverBootingInItsWholeTimeSample.class, FakeQemuRunner.class);

        String message = classFailure(results).getMessage();
        assertTrue(message.startsWith(NeverBootingInItsWholeTimeSample.class.getName() + " did not run in the guest (exit"
                + " status 1): the vfio guest did not boot in 2s: its init never reported JVFIO-GUEST-READY; its console ended"
                + " with: '/ # (a rescue shell)' (kernel arguments added: jvfio.fake.noboot; serial log: "), message);
        results.testEvents().assertStatistics(s -> s.started(0));
    }

    @VfioGuest(devices = GuestDevice.NVME)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class CrashingSample {
        @Test
        @Order(1)
        void passesFirst() {
            HOST_RUNS.incrementAndGet();
        }

        @Test
        @Order(2)
        void takesTheJvmDown() {
            HOST_RUNS.incrementAndGet();
            Runtime.getRuntime().halt(3); // as a JVM crash or a hang guard would end it
        }

        @Test
        @Order(3)
        void neverGetsToRun() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void aRunCutShortKeepsWhatTheGuestReportedAndNamesTheTestThatWasRunning() {
        EngineExecutionResults results = run(CrashingSample.class, FakeQemuRunner.class);
        Map<String, TestExecutionResult> tests = finishedTests(results);

        assertEquals(TestExecutionResult.Status.SUCCESSFUL, tests.get("passesFirst").getStatus());
        String running = throwable(tests, "takesTheJvmDown").getMessage();
        assertTrue(running.startsWith("takesTheJvmDown() started in the guest and never ended: exit status 3: the vfio guest"
                + " finished in "), running);
        String later = throwable(tests, "neverGetsToRun").getMessage();
        assertTrue(later.startsWith("did not run in the guest: the guest's run ended before it: exit status 3: "), later);
        assertTrue(classFailure(results).getMessage().startsWith("the guest's run failed: exit status 3: "),
                classFailure(results).getMessage());
        assertEquals(0, HOST_RUNS.get());
    }

    @VfioGuest(devices = GuestDevice.E1000E)
    static class SharingSampleA {
        @Test
        void a() {}
    }

    @VfioGuest(devices = GuestDevice.E1000E)
    static class SharingSampleB {
        @Test
        void b() {}
    }

    @VfioGuest(devices = GuestDevice.E1000E, memory = "1G")
    static class OtherGuestSample {
        @Test
        void c() {}
    }

    @Test
    void classesThatAskForTheSameGuestShareOneBootWhenTheLauncherTellsThePlan() {
        CountingGuestRunner.RUNS.clear();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                        .addTestExecutionListeners(new GuestPlan(), summary).build())
                .execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(SharingSampleA.class), selectClass(OtherGuestSample.class), selectClass(SharingSampleB.class))
                        .configurationParameter(GuestRunners.RUNNER_PARAMETER, CountingGuestRunner.class.getName())
                        .build());

        assertEquals(3, summary.getSummary().getTestsSucceededCount(), () -> summary.getSummary().getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException()).toList().toString());
        assertEquals(List.of(List.of(SharingSampleA.class.getName(), SharingSampleB.class.getName()),
                List.of(OtherGuestSample.class.getName())), CountingGuestRunner.RUNS);
    }

    /** Shares a guest with {@link HealthySharingSample}; its static initializer throws in the guest only. */
    @VfioGuest(devices = GuestDevice.EDU, memory = "3G")
    static class BrokenInitializerSample {
        static {
            if (GuestMain.inGuest()) {
                throw new IllegalStateException("no edu in this guest's sysfs");
            }
        }

        @Test
        void neverRuns() {}
    }

    @VfioGuest(devices = GuestDevice.EDU, memory = "3G")
    static class HealthySharingSample {
        @Test
        void passes() {}

        /** JUnit cuts a long name between the two halves of an emoji: a lone surrogate. */
        @Test
        @DisplayName("cut \uD83D")
        void hasALoneSurrogateInItsName() {}
    }

    @Test
    void aClassThatCannotInitializeInTheGuestFailsAloneAndAnyNameCrosses() {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                        .addTestExecutionListeners(new GuestPlan(), summary).build())
                .execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectClass(BrokenInitializerSample.class), selectClass(HealthySharingSample.class))
                        .configurationParameter(GuestRunners.RUNNER_PARAMETER, FakeQemuRunner.class.getName())
                        .build());

        List<String> failures = summary.getSummary().getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException()).toList();
        assertEquals(2, summary.getSummary().getTestsSucceededCount(), failures::toString);
        assertEquals(1, summary.getSummary().getTestsFailedCount(), failures::toString);
        assertTrue(failures.stream().anyMatch(f -> f.startsWith("neverRuns()") && f.contains("ExceptionInInitializerError")),
                failures::toString);
    }

    /** A runner that fails the way a bug in one does: an exception with no message. */
    public static class BrokenRunner implements GuestRunner {
        @Override
        public GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void aRunnerThatThrowsFailsTheClassWithItsExceptionAsTheCause() {
        EngineExecutionResults results = run(SharingSampleA.class, BrokenRunner.class);

        Throwable failure = classFailure(results);
        assertEquals(SharingSampleA.class.getName() + " did not run in the guest: it cannot run in a guest:"
                + " java.lang.UnsupportedOperationException", failure.getMessage());
        assertInstanceOf(UnsupportedOperationException.class, failure.getCause(), "the runner's exception, with its stack");
    }

    @Test
    void theGuestRunsOnlyTheTestsTheHostSelected() throws IOException {
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        LauncherFactory.create(LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false)
                        .addTestExecutionListeners(new GuestPlan(), summary).build())
                .execute(LauncherDiscoveryRequestBuilder.request()
                        .selectors(selectMethod(GuestSample.class, "passes", VfioGuestDevices.class.getName()))
                        .configurationParameter(GuestRunners.RUNNER_PARAMETER, FakeQemuRunner.class.getName())
                        .build());

        assertEquals(1, summary.getSummary().getTestsSucceededCount(), () -> summary.getSummary().getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException()).toList().toString());
        assertEquals(0, summary.getSummary().getTotalFailureCount());
        List<String> ran = GuestResults.read(outOf(GuestSample.class).resolve("results.properties")).all().stream()
                .map(r -> r.displayName()).toList();
        assertTrue(ran.contains("passes(VfioGuestDevices)") && !ran.contains("fails()") && !ran.contains("forgotten()"),
                "what the guest ran: " + ran);
    }

    @Test
    void theHarnessBootsTheMachineTheAnnotationAsksFor() {
        run(GuestSample.class, FakeQemuRunner.class);

        String qemu = read(outOf(GuestSample.class).resolve("qemu-args"));
        assertTrue(qemu.contains("-device intel-iommu,intremap=on"), qemu);
        assertTrue(qemu.contains("-device edu,addr=04.0 "), qemu);
        assertTrue(qemu.contains("-device virtio-rng-pci,addr=08.0,multifunction=on -device edu,addr=08.1,"), qemu);
        assertTrue(!qemu.contains("nvme") && !qemu.contains("e1000e"), "devices the class did not ask for: " + qemu);
        assertTrue(qemu.contains("-m 2G "), qemu);
    }

    @VfioGuest
    static class GuestOnlySample {
        @Test
        @EnabledIfSystemProperty(named = GuestMain.INSIDE_PROPERTY, matches = "true")
        void failsInTheGuestOnly() {
            HOST_RUNS.incrementAndGet();
            fail("enabled in the guest only");
        }

        @ParameterizedTest
        @org.junit.jupiter.params.provider.MethodSource("cases")
        void moreCasesInTheGuest(int i) {
            HOST_RUNS.incrementAndGet();
            assertTrue(i < 1, "case " + i);
        }

        static IntStream cases() {
            return IntStream.range(0, GuestMain.inGuest() ? 3 : 1);
        }
    }

    @Test
    void failuresInTheGuestOfTestsTheHostDidNotRunFailTheClass() {
        EngineExecutionResults results = run(GuestOnlySample.class, FakeQemuRunner.class);
        String message = classFailure(results).getMessage();
        assertTrue(message.startsWith("3 test(s) failed in the guest that the host did not run"), message);
        assertTrue(message.contains("[method:failsInTheGuestOnly()]") && message.contains("[test-template-invocation:#2]")
                && message.contains("[test-template-invocation:#3]"), message);
        assertTrue(!message.contains("[test-template-invocation:#1]"), "the host ran case 1, and it passed: " + message);
        assertEquals(0, HOST_RUNS.get());
    }

    @VfioGuest
    static class DevicesFromSysfsSample {
        @ParameterizedTest
        @org.junit.jupiter.params.provider.MethodSource("devices")
        void eachDevice(String bdf) {}

        /** What a test listing the devices in sysfs finds: the host's are not the guest's. */
        static Stream<String> devices() {
            return Stream.of(GuestMain.inGuest() ? "0000:00:04.0" : "0000:00:1f.2", "0000:00:08.0");
        }
    }

    @Test
    void aCaseTheGuestRanWithOtherArgumentsIsReportedWithTheGuestsName() {
        EngineExecutionResults results = run(DevicesFromSysfsSample.class, FakeQemuRunner.class);

        assertEquals(2, results.testEvents().succeeded().count());
        List<Map<String, String>> entries = results.allEvents().reportingEntryPublished().stream()
                .map(e -> e.getRequiredPayload(ReportEntry.class).getKeyValuePairs())
                .toList();
        assertEquals(List.of(Map.of(VfioGuestExtension.GUEST_NAME_ENTRY, "[1] 0000:00:04.0")), entries,
                "case 1 ran in the guest with another device; case 2 with the same");
    }

    @Test
    void failuresInTheGuestOfTestsTheHostDidNotSelectAreNotTheHostsConcern() {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .selectors(selectMethod(GuestSample.class, "passes", VfioGuestDevices.class.getName()))
                .configurationParameter(GuestRunners.RUNNER_PARAMETER, FakeQemuRunner.class.getName())
                .execute();
        assertEquals(0, results.containerEvents().failed().count(), "the guest ran fails() too, which the host did not ask for");
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, finishedTests(results).get("passes").getStatus());
        assertEquals(1, results.testEvents().finished().count());
    }

    @VfioGuest
    static class AssumingSetupSample {
        @BeforeAll
        static void needsIommu() {
            assumeTrue(false, "no /dev/iommu in this guest");
        }

        @Test
        void usesIommu() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void anAssumptionInTheGuestsSetUpSkipsTheTestsSayingWhy() {
        EngineExecutionResults results = run(AssumingSetupSample.class, FakeQemuRunner.class);
        TestAbortedException skipped = assertInstanceOf(TestAbortedException.class,
                throwable(finishedTests(results), "usesIommu"));
        assertTrue(skipped.getMessage().startsWith("not run in the guest: VfioGuestExtensionTest$AssumingSetupSample was"
                + " aborted before it: Assumption failed: no /dev/iommu in this guest"), skipped.getMessage());
        assertEquals(0, results.containerEvents().failed().count(), "nothing failed");
    }

    @VfioGuest(timeoutSeconds = 0)
    static class NoTimeSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @VfioGuest(kernel = "6.1")
    static class NoSuchLaneSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @VfioGuest(memory = "lots")
    static class NoSuchSizeSample {
        @Test
        void neverRuns() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void attributeValuesNoGuestCanTakeAreRefusedNamingTheClassAndTheAttribute() {
        assertEquals("@VfioGuest of " + NoTimeSample.class.getName() + ": timeoutSeconds (0) and bootTimeoutSeconds (300)"
                + " are at least 1", classFailure(run(NoTimeSample.class, FakeQemuRunner.class)).getMessage());
        assertEquals("@VfioGuest of " + NoSuchLaneSample.class.getName() + ": kernel \"6.1\" is not a lane; [6.12, 7.2], or"
                + " empty for JVFIO_KERNEL", classFailure(run(NoSuchLaneSample.class, FakeQemuRunner.class)).getMessage());
        assertTrue(classFailure(run(NoSuchSizeSample.class, FakeQemuRunner.class)).getMessage()
                .contains(": memory \"lots\" is not a size QEMU's -m takes"));
        assertEquals(0, HOST_RUNS.get());
    }

    /** QEMU refuses these only after the boot's kernel build, as "QEMU exit 1". */
    @Test
    void memorySizesAreCheckedAsQemuParsesThem() {
        for (String taken : List.of("2G", "1.5G", "4096", "512m", "2g", "size=4G", "size=4G,slots=2,maxmem=8G",
                "size=4G,slots=0x2,maxmem=0x200000000")) {
            assertTrue(GuestSpec.isQemuMemory(taken), taken);
        }
        for (String refused : List.of("4GB", "512MiB", "2Gx", "lots", "", "2G,", "2 G", "G", "-2G", "size=4G,slots=two",
                "2G,nodes=2", "1.5B", "1.5", "0x80000000", "size=4G,slots=08,maxmem=8G")) {
            assertFalse(GuestSpec.isQemuMemory(refused), refused);
        }
    }

    @VfioGuest
    static class OuterSample {
        @Test
        void outer() {}

        @Nested
        @VfioGuest(memory = "4G")
        class Inner {
            @Test
            void inner() {
                HOST_RUNS.incrementAndGet();
            }
        }
    }

    @Test
    void aNestedClassAskingForAGuestOfItsOwnIsRefused() {
        EngineExecutionResults results = run(OuterSample.class, FakeQemuRunner.class);
        Event inner = results.containerEvents().failed().stream()
                .filter(e -> e.getTestDescriptor().getUniqueId().getLastSegment().getType().equals("nested-class"))
                .findFirst().orElseThrow(() -> new AssertionError("the nested class did not fail"));
        String message = inner.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow().getMessage();
        assertTrue(message.startsWith("@Nested " + OuterSample.Inner.class.getName() + " asks for a guest of its own"), message);
        assertEquals(TestExecutionResult.Status.SUCCESSFUL, finishedTests(results).get("outer").getStatus());
        assertEquals(0, HOST_RUNS.get());
    }

    static class InstanceFieldSample {
        @RegisterExtension
        VfioGuestExtension guest = new VfioGuestExtension();

        @Test
        void usesEdu() {
            HOST_RUNS.incrementAndGet();
        }
    }

    @Test
    void anExtensionRegisteredTooLateToBootAGuestSaysSo() {
        Throwable late = throwable(finishedTests(run(InstanceFieldSample.class, FakeQemuRunner.class)), "usesEdu");
        assertInstanceOf(IllegalStateException.class, late);
        assertTrue(late.getMessage().startsWith(InstanceFieldSample.class.getName() + " has no guest: VfioGuestExtension"
                + " boots it before all of a class's tests, which an extension registered by a @RegisterExtension instance"
                + " field is not asked about"), late.getMessage());
        assertEquals(0, HOST_RUNS.get());
    }

    private static EngineExecutionResults run(Class<?> sample, Class<? extends GuestRunner> runner) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(sample))
                .configurationParameter(GuestRunners.RUNNER_PARAMETER, runner.getName())
                .execute();
    }

    /** Each finished test's result by its method's name. */
    private static Map<String, TestExecutionResult> finishedTests(EngineExecutionResults results) {
        Map<String, TestExecutionResult> byName = new HashMap<>();
        results.testEvents().finished().stream().forEach(e -> byName.put(
                ((MethodSource) e.getTestDescriptor().getSource().orElseThrow()).getMethodName(),
                e.getRequiredPayload(TestExecutionResult.class)));
        return byName;
    }

    private static Throwable throwable(Map<String, TestExecutionResult> tests, String name) {
        TestExecutionResult result = tests.get(name);
        assertNotNull(result, name + " did not finish");
        return result.getThrowable().orElseThrow(() -> new AssertionError(name + " ended " + result.getStatus()));
    }

    private static Throwable classFailure(EngineExecutionResults results) {
        Event failed = results.containerEvents().failed().stream()
                .filter(e -> e.getTestDescriptor().isContainer() && e.getType() == EventType.FINISHED)
                .filter(e -> e.getTestDescriptor().getUniqueId().getLastSegment().getType().equals("class"))
                .findFirst().orElseThrow(() -> new AssertionError("the class did not fail"));
        return failed.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
    }

    /**
     * The stack is the guest's: it passes through the sample's method (which never ran here) and not
     * through the host's replay that threw it. (JUnit prunes the frames below the test method.)
     */
    private static void assertGuestStack(Throwable t, String sampleMethod) {
        List<StackTraceElement> stack = List.of(t.getStackTrace());
        assertTrue(stack.stream().anyMatch(f -> f.getClassName().equals(GuestSample.class.getName())
                && f.getMethodName().equals(sampleMethod)), () -> "not the guest's stack: " + stack);
        assertTrue(stack.stream().noneMatch(f -> f.getClassName().equals(GuestReplay.class.getName())),
                () -> "the host's stack: " + stack);
    }

    private static Path outOf(Class<?> sample) {
        return Path.of("target", "jvfio-guest", sample.getName()).toAbsolutePath();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
