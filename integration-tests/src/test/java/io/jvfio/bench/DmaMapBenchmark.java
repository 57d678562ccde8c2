package io.jvfio.bench;

import io.jvfio.it.GuestDevices;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.testing.DmaLoops;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The DMA-mapping benchmark, run inside the vfio guest by scripts/bench/bench-guest.sh: map and unmap one
 * range (4 KiB, 2 MiB) repeatedly, through the legacy container and through an iommufd IOAS, each
 * with edu attached so that every map and unmap reaches the emulated VT-d. The Java API against the
 * C loop of jvfio-testing issuing the same ioctls; alternating runs, median reported.
 *
 * Usage: DmaMapBenchmark [OUT_FILE] (system properties: jvfio.bench.runs)
 */
public final class DmaMapBenchmark {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final long IOVA = 0x200000;
    private static final int RUNS = Integer.getInteger("jvfio.bench.runs", 5);
    private static final long[] SIZES = {4096, 2L << 20};

    /** One way of mapping: a Java loop through the API and the C loop through the same ioctls. */
    private interface MapPath {
        void javaMapUnmap(long vaddr, long size) throws Exception;

        long cLoop(long vaddr, long size, int iterations) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        GuestDevices.bindToVfio(GuestDevices.EDU);
        List<String> rows = new ArrayList<>();
        try (DmaBuffer memory = DmaBuffer.allocate(4L << 20)) {
            // 2 MiB-aligned, so the 2 MiB mapping may use a large IOMMU page where the memory allows.
            long vaddr = (memory.address() + (2L << 20) - 1) & -(2L << 20);
            try (VfioContainer container = VfioContainer.open(); VfioGroup group = VfioGroup.forDevice(GuestDevices.EDU)) {
                group.setContainer(container);
                container.setType1v2();
                try (VfioDevice device = group.openDevice(GuestDevices.EDU)) {
                    MapPath legacy = new MapPath() {
                        public void javaMapUnmap(long va, long size) throws Exception {
                            container.map(va, size, IOVA, RW);
                            container.unmap(IOVA, size);
                        }

                        public long cLoop(long va, long size, int iterations) throws Exception {
                            return DmaLoops.container(container, va, IOVA, size, iterations);
                        }
                    };
                    measure("legacy container", legacy, vaddr, rows);
                } finally {
                    group.unsetContainer();
                }
            }
            try (Iommufd iommufd = Iommufd.open(); VfioDevice device = VfioDevice.openCdev(GuestDevices.EDU);
                 IoAddressSpace ioas = IoAddressSpace.allocate(iommufd)) {
                device.bindIommufd(iommufd);
                device.attach(ioas.id());
                MapPath cdev = new MapPath() {
                    public void javaMapUnmap(long va, long size) throws Exception {
                        ioas.map(va, size, IOVA, RW);
                        ioas.unmap(IOVA, size);
                    }

                    public long cLoop(long va, long size, int iterations) throws Exception {
                        return DmaLoops.ioas(ioas, va, IOVA, size, iterations);
                    }
                };
                measure("iommufd IOAS", cdev, vaddr, rows);
                device.detach();
            }
        }
        String table = "DMA map + unmap of one range, edu attached (emulated VT-d), median of " + RUNS + " runs (Java "
                + System.getProperty("java.version") + ")\n\n"
                + "| path | size | C maps+unmaps/s | Java maps+unmaps/s | Java/C |\n|---|---|---|---|---|\n"
                + String.join("\n", rows) + "\n";
        System.out.println(table);
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), table, StandardCharsets.UTF_8);
        }
    }

    private static void measure(String name, MapPath path, long vaddr, List<String> rows) throws Exception {
        for (long size : SIZES) {
            int iterations = size == 4096 ? 2000 : 200;
            double[] c = new double[RUNS];
            double[] java = new double[RUNS];
            runJava(path, vaddr, size, iterations);
            runC(path, vaddr, size, iterations);
            for (int r = 0; r < RUNS; r++) {
                c[r] = runC(path, vaddr, size, iterations);
                java[r] = runJava(path, vaddr, size, iterations);
            }
            double cm = PairedRun.median(c);
            double jm = PairedRun.median(java);
            rows.add(String.format("| %s | %s | %,.0f | %,.0f | %.2f |", name, size == 4096 ? "4 KiB" : "2 MiB", cm, jm, jm / cm));
        }
    }

    private static double runC(MapPath path, long vaddr, long size, int iterations) throws Exception {
        return iterations * 1e9 / path.cLoop(vaddr, size, iterations);
    }

    private static double runJava(MapPath path, long vaddr, long size, int iterations) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < iterations; i++) {
            path.javaMapUnmap(vaddr, size);
        }
        return iterations * 1e9 / (System.nanoTime() - t0);
    }
}
