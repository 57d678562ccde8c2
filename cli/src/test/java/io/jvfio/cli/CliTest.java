package io.jvfio.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.memory.IovaRange;
import io.jvfio.testfixtures.FakeSysfs;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Argument parsing, output formats and error lines of the jvfio command, on the host (a fake sysfs). */
class CliTest {
    @TempDir
    Path root;

    FakeSysfs fake;

    /** What one command line printed and returned. */
    record Result(int status, String out, String err) {}

    @BeforeEach
    void tree() throws Exception {
        fake = new FakeSysfs(root)
                .device("0000:00:03.0", 0x8086, 0x10d3, 0x020000, 2, "e1000e", new byte[4096])
                .device("0000:00:04.0", 0x1234, 0x11e8, 0x00ff00, 3, "", FakeSysfs.configWithFaultCapabilities())
                .device("0000:00:08.0", 0x1af4, 0x1005, 0x00ff00, 7, "virtio-pci", new byte[64])
                .device("0000:00:08.1", 0x1234, 0x11e8, 0x00ff00, 7, "vfio-pci", new byte[64]);
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    private String[] withRoots(String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--sysfs";
        all[args.length + 1] = fake.sys.toString();
        all[args.length + 2] = "--devfs";
        all[args.length + 3] = fake.dev.toString();
        return all;
    }

    @Test
    void listPrintsATableWithViabilityCapabilitiesAndFaultMode() {
        Result r = run(withRoots("list"));
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("BDF"), lines.get(0));
        assertEquals(5, lines.size(), r.out());
        String edu = lines.stream().filter(l -> l.startsWith("0000:00:04.0")).findFirst().orElseThrow();
        assertTrue(edu.contains("1234:11e8") && edu.contains("viable") && edu.contains("ATS PRI PASID(20)"), edu);
        String e1000e = lines.stream().filter(l -> l.startsWith("0000:00:03.0")).findFirst().orElseThrow();
        assertTrue(e1000e.contains("e1000e") && e1000e.contains("not viable"), e1000e);
        String besideVirtio = lines.stream().filter(l -> l.startsWith("0000:00:08.1")).findFirst().orElseThrow();
        assertTrue(besideVirtio.contains("not viable"), "its group-mate is on virtio-pci: " + besideVirtio);
    }

    @Test
    void listJsonIsOneArrayWithTheSameFacts() {
        Result r = run(withRoots("list", "--json"));
        assertEquals(0, r.status(), r.err());
        String json = r.out().trim();
        assertTrue(json.startsWith("[{") && json.endsWith("}]"), json);
        assertTrue(json.contains("\"bdf\":\"0000:00:04.0\",\"vendor\":\"1234\",\"device\":\"11e8\""), json);
        assertTrue(json.contains("\"groupOffenders\":[\"0000:00:08.0 is still bound to virtio-pci\"]"), json);
        assertTrue(json.contains("\"ats\":true,\"pri\":true,\"pasid\":true,\"maxPasidWidth\":20"), json);
        assertTrue(json.contains("\"driver\":null"), "an unbound device has a null driver: " + json);
    }

    @Test
    void aUserPolicyFileChangesTheFaultMode() throws Exception {
        Path policies = Files.writeString(root.resolve("policies.conf"), "1234:11e8 = ARBITRARY_FAULTS\n");
        Result r = run(withRoots("list", "--json", "--policies", policies.toString()));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"faultMode\":\"ARBITRARY_FAULTS\""), r.out());
    }

    @Test
    void anUnknownDeviceIsOneLineNamingIt() {
        Result r = run(withRoots("info", "0000:00:1e.0"));
        assertEquals(ExitCodes.FAILURE, r.status());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("jvfio info: ") && r.err().contains("0000:00:1e.0"), r.err());
        assertFalse(r.err().contains("Exception"), "no stack trace without --verbose: " + r.err());
    }

    @Test
    void aMalformedAddressIsOneLine() {
        Result r = run(withRoots("info", "00:04"));
        assertEquals(ExitCodes.USAGE, r.status(), "bad input");
        assertTrue(r.err().contains("00:04"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Result r = run(withRoots("info", "0000:00:1e.0", "--verbose"));
        assertEquals(ExitCodes.FAILURE, r.status());
        assertTrue(r.err().lines().count() > 1 && r.err().contains("at io.jvfio"), r.err());
    }

    @Test
    void bindRefusesAGroupWithAHostDriverUnlessToldToBindItAll() {
        Result r = run(withRoots("bind", "0000:00:08.1"));
        assertEquals(ExitCodes.FAILURE, r.status());
        assertTrue(r.err().contains("IOMMU group 7 also holds 0000:00:08.0 (virtio-pci)") && r.err().contains("--group"), r.err());
    }

    @Test
    void unbindRefusesADeviceThatIsNotOnVfioPci() {
        Result r = run(withRoots("unbind", "0000:00:03.0"));
        assertEquals(ExitCodes.FAILURE, r.status());
        assertTrue(r.err().contains("0000:00:03.0 is not on vfio-pci (its driver: e1000e)"), r.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : List.of("list", "info", "bind", "unbind", "doctor", "serve", "demo")) {
            Result r = run(command, "--help");
            assertEquals(0, r.status(), command);
            assertTrue(r.out().startsWith("Usage: jvfio " + command), r.out());
        }
        Result top = run("--help");
        assertTrue(top.out().contains("Exit codes:"), top.out());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(ExitCodes.USAGE, run("serve").status(), "serve needs --mock or --device");
        assertEquals(ExitCodes.USAGE, run("serve", "--mock", "--device", "0000:00:04.0").status(), "not both");
        assertEquals(ExitCodes.USAGE, run("frobnicate").status());
        assertEquals(ExitCodes.USAGE, run().status());
    }

    @Test
    void serveRejectsBadSizesAndPinsBeforeTouchingTheKernel() {
        assertRefused("jvfio serve: --memory: 'lots' is not a size", "serve", "--mock", "--memory", "lots");
        assertRefused("jvfio serve: --pin takes OFFSET+SIZE", "serve", "--mock", "--pin", "1M");
        assertRefused("jvfio serve: --pin '1M+': '' is not a size", "serve", "--mock", "--pin", "1M+");
        assertRefused("jvfio serve: --pin 0x7ffffffffffff000+0x7ffffffffffff000: outside guest memory (--memory 64M)",
                "serve", "--mock", "--pin", "0x7ffffffffffff000+0x7ffffffffffff000");
        assertRefused("jvfio serve: --pin 63M+0x100001: outside guest memory (--memory 64M)", "serve", "--mock",
                "--pin", "63M+0x100001");
        assertRefused("jvfio serve: --burst needs --mock", "serve", "--device", "0000:00:04.0", "--burst", "10");
        assertRefused("jvfio serve: --burst 10: --pin covers all guest memory (--memory 64M), which leaves the mock nothing"
                + " to fault on", "serve", "--mock", "--pin", "0+32M", "--pin", "32M+32M", "--burst", "10");
        assertRefused("jvfio serve: --fault-around: the fault-around window is a power of two from", "serve", "--mock",
                "--fault-around", "12K");
        assertRefused("jvfio serve: --batch: a fault loop reads 1..65536 records at once, not 0", "serve", "--mock", "--batch", "0");
        assertRefused("jvfio serve: --window: the map window is at least one page", "serve", "--device", "0000:00:04.0",
                "--window", "0");
        assertRefused("jvfio serve: --memory: guest memory needs a positive size", "serve", "--mock", "--memory", "0");
        assertRefused("jvfio serve: --device: ", "serve", "--device", "0000:00:1f.8");
    }

    @Test
    void serveRejectsBadCountsAndTimesBeforeTouchingTheKernel() {
        assertRefused("jvfio serve: --outside needs --burst", "serve", "--mock", "--outside", "5");
        assertRefused("jvfio serve: --outside needs --burst", "serve", "--device", "0000:00:04.0", "--outside", "5");
        assertRefused("jvfio serve: --burst and --outside count page requests: not -5", "serve", "--mock", "--burst", "10",
                "--outside", "-5");
        assertRefused("jvfio serve: --duration is a number of seconds", "serve", "--mock", "--duration", "-1");
        assertRefused("jvfio serve: --duration is a number of seconds", "serve", "--mock", "--duration", "NaN");
        assertRefused("jvfio serve: --duration is a number of seconds", "serve", "--mock", "--duration", "Infinity");
        assertRefused("jvfio serve: --interval is a positive number of seconds", "serve", "--mock", "--interval", "0");
    }

    /** The command exits 2 with one line that starts with {@code message}, before it opens anything in the kernel. */
    private void assertRefused(String message, String... args) {
        Result r = run(args);
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertTrue(r.err().startsWith(message), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void aPolicyFileThatCannotBeReadIsNamedWithTheReason() throws Exception {
        Path missing = root.resolve("missing.conf");
        assertRefused("jvfio serve: --policies: cannot read the device policy file " + missing + ": no such file",
                "serve", "--mock", "--policies", missing.toString());
        Path latin1 = Files.write(root.resolve("latin1.conf"), new byte[] {'#', ' ', (byte) 0xe9, '\n'});
        assertRefused("jvfio serve: --policies: cannot read the device policy file " + latin1 + ": it is not UTF-8 text",
                "serve", "--mock", "--policies", latin1.toString());
    }

    @Test
    void serveReadsThePolicyFileBeforeTouchingTheKernel() throws Exception {
        Path policies = Files.writeString(root.resolve("policies.conf"), "1234:11e8 = SOMETIMES\n");
        Result r = run("serve", "--device", "0000:00:04.0", "--policies", policies.toString());
        assertEquals(ExitCodes.USAGE, r.status(), r.err());
        assertTrue(r.err().startsWith("jvfio serve: --policies: " + policies + ":1: unknown mode 'SOMETIMES'"), r.err());
    }

    @Test
    void sizesAndPins() {
        assertEquals(4096, SizeParser.parse("4096"));
        assertEquals(0x1000, SizeParser.parse("0x1000"));
        assertEquals(0x1000, SizeParser.parse("0X1000"));
        assertEquals(64L << 10, SizeParser.parse("64K"));
        assertEquals(16L << 20, SizeParser.parse("16m"));
        assertEquals(1L << 30, SizeParser.parse("1G"));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("-1"));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("99999999999G"));
        assertEquals(new IovaRange(0x100000, 0x1fffff), ServeCommand.parsePin("1M+1M"));
    }

    @Test
    void doctorReportsEachProblemWithAFix() throws Exception {
        Path proc = Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(proc.resolve("osrelease"), "6.1.0-18-amd64\n");
        Result r = run(withRoots("doctor", "--procfs", root.resolve("proc").toString()));
        assertEquals(ExitCodes.UNSUPPORTED, r.status(), r.out());
        assertTrue(r.out().contains("[warn] kernel                   6.1.0-18-amd64 (legacy VFIO only)"), r.out());
        assertTrue(r.out().contains("[fail] IOMMU"), r.out());
        assertTrue(r.out().contains("fix: enable VT-d/AMD-Vi in firmware"), r.out());
        assertTrue(r.out().contains("[ok  ] vfio-pci driver"), r.out());
        assertTrue(r.out().contains("[fail] legacy container") && r.out().contains("vfio/vfio missing"), r.out());
    }

    /** A 6.12 machine with an Intel IOMMU, vfio-pci loaded and /dev/iommu, its kernel built with {@code config}. */
    private void vfioMachine(String config) throws IOException {
        Path proc = Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(proc.resolve("osrelease"), "6.12.0\n");
        try (OutputStream gz = new GZIPOutputStream(Files.newOutputStream(root.resolve("proc/config.gz")))) {
            gz.write(config.getBytes(StandardCharsets.US_ASCII));
        }
        Files.createDirectories(fake.sys.resolve("class/iommu/dmar0"));
        Files.createDirectories(fake.sys.resolve("bus/pci/drivers/vfio-pci"));
        Files.createFile(fake.dev.resolve("iommu"));
    }

    @Test
    void doctorTakesACdevOnlyKernelForAWorkingVfio() throws Exception {
        vfioMachine("CONFIG_VFIO=y\nCONFIG_VFIO_PCI=m\n# CONFIG_VFIO_CONTAINER is not set\nCONFIG_VFIO_DEVICE_CDEV=y\n"
                + "CONFIG_IOMMUFD=y\nCONFIG_IOMMU_IOPF=y\n");
        Result r = run(withRoots("doctor", "--procfs", root.resolve("proc").toString()));
        assertTrue(r.out().contains("[warn] CONFIG_VFIO_CONTAINER    not set (the other VFIO path is there)"), r.out());
        assertTrue(r.out().contains("[warn] legacy container") && r.out().contains("(the other VFIO path is there)"), r.out());
        assertTrue(r.out().contains("[ok  ] CONFIG_VFIO_DEVICE_CDEV"), r.out());
        assertTrue(r.out().contains("VFIO is usable here."), r.out());
        assertEquals(ExitCodes.OK, r.status(), r.out());
    }

    /** Without VFIO's own container, /dev/vfio/vfio is iommufd's (and the cdev is off by default): VFIO works. */
    @Test
    void doctorTakesIommufdsCompatibilityContainerForAWorkingVfio() throws Exception {
        vfioMachine("CONFIG_VFIO=y\nCONFIG_VFIO_PCI=m\n# CONFIG_VFIO_CONTAINER is not set\n# CONFIG_VFIO_DEVICE_CDEV is not set\n"
                + "CONFIG_IOMMUFD=y\nCONFIG_IOMMUFD_VFIO_CONTAINER=y\nCONFIG_IOMMU_IOPF=y\n");
        Files.createDirectories(fake.dev.resolve("vfio"));
        Files.createFile(fake.dev.resolve("vfio/vfio"));
        Result r = run(withRoots("doctor", "--procfs", root.resolve("proc").toString()));
        assertTrue(r.out().contains("[ok  ] CONFIG_VFIO_CONTAINER    not set; iommufd serves /dev/vfio/vfio"), r.out());
        assertTrue(r.out().contains("[warn] CONFIG_VFIO_DEVICE_CDEV  not set (the other VFIO path is there)"), r.out());
        assertTrue(r.out().contains("VFIO is usable here."), r.out());
        assertEquals(ExitCodes.OK, r.status(), r.out());
    }

    @Test
    void capabilitiesAUserCannotReadAreUnknownNotAbsent() {
        // 0000:00:03.0 has a whole config space; 0000:00:08.0 shows only the 64 bytes the kernel gives a non-root user.
        Result r = run(withRoots("list", "--json"));
        assertEquals(0, r.status(), r.err());
        String json = r.out();
        String unread = json.substring(json.indexOf("\"bdf\":\"0000:00:08.0\""));
        assertTrue(unread.contains("\"ats\":null,\"pri\":null,\"pasid\":null,\"maxPasidWidth\":null"), unread);
        String read = json.substring(json.indexOf("\"bdf\":\"0000:00:03.0\""));
        assertTrue(read.contains("\"ats\":false,\"pri\":false,\"pasid\":false"), read);
        Result table = run(withRoots("list"));
        String line = table.out().lines().filter(l -> l.startsWith("0000:00:08.0")).findFirst().orElseThrow();
        assertTrue(line.contains("unknown"), line);
        Result info = run(withRoots("info", "0000:00:08.0"));
        assertTrue(info.out().contains("capabilities    unknown: config space past its header is readable by root only"), info.out());
    }

    @Test
    void aDeviceOrGroupThatCannotBeReadIsLeftOutByNameAndTheRestListed() throws Exception {
        Files.delete(fake.sys.resolve("devices/pci0000:00/0000:00:03.0/vendor")); // a device going away mid-list
        Path group7 = fake.sys.resolve("kernel/iommu_groups/7/devices");
        for (String member : List.of("0000:00:08.0", "0000:00:08.1")) {
            Files.delete(group7.resolve(member));
        }
        Files.delete(group7);
        Files.writeString(group7, "not a directory\n"); // a group whose member list cannot be read
        for (String format : List.of("table", "json")) {
            Result r = run(format.equals("json") ? withRoots("list", "--json") : withRoots("list"));
            assertEquals(ExitCodes.FAILURE, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("0000:00:04.0"), "the readable device is listed: " + r.out());
            for (String bdf : List.of("0000:00:03.0", "0000:00:08.0", "0000:00:08.1")) {
                assertFalse(r.out().contains(bdf), r.out());
                assertTrue(r.err().lines().anyMatch(l -> l.startsWith("jvfio list: left out: " + bdf + ": ")), r.err());
            }
            assertTrue(r.err().contains("vendor") && r.err().contains("ENOENT"), r.err());
        }
    }

    @Test
    void outputThatCannotBeWrittenFailsTheCommand() {
        StringWriter err = new StringWriter();
        PrintWriter broken = new PrintWriter(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        }, true);
        int status = Main.run(withRoots("list"), broken, new PrintWriter(err, true));
        assertEquals(ExitCodes.FAILURE, status);
        assertTrue(err.toString().startsWith("jvfio: could not write to standard output"), err.toString());
    }

    @Test
    void demoRefusesCountsAndTimesItCannotUse() {
        assertRefused("jvfio demo: --faults: the burst needs at least one page request, not -5", "demo", "--faults", "-5");
        assertRefused("jvfio demo: --timeout: a guest needs at least one second, not 0", "demo", "--timeout", "0");
    }

    @Test
    void theGuestDemoStagesRefuseToRunOutsideTheDemoGuest() {
        Result r = run("guest-demo", "vfio");
        assertEquals(ExitCodes.FAILURE, r.status(), r.out());
        assertTrue(r.err().startsWith("jvfio guest-demo: guest-demo runs inside the demo's QEMU guest only"), r.err());
        assertEquals("", r.out(), "nothing listed, nothing bound");
    }

    @Test
    void kernelVersionsParse() {
        assertEquals(6, MachineChecks.parseVersion("6.12.117-1~deb12u1")[0]);
        assertEquals(12, MachineChecks.parseVersion("6.12.117-1~deb12u1")[1]);
        assertEquals(MachineCheck.Status.OK, MachineChecks.kernelVersion("6.12.0").status());
        assertEquals(MachineCheck.Status.WARN, MachineChecks.kernelVersion("6.8.0").status());
    }
}
