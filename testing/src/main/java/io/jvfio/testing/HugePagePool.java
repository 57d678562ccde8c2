package io.jvfio.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Huge pages added to the kernel's pool ({@code /proc/sys/vm/nr_hugepages}) for a test or a
 * benchmark, and the pool put back on close: a guest boots with none reserved, and a hugetlb
 * {@link io.jvfio.memory.DmaBuffer} needs them when it is mapped. Writing the pool needs root, as
 * the guests run. The kernel may add fewer pages than asked (fragmented memory); the buffer's error
 * then says how many are free.
 */
public final class HugePagePool implements AutoCloseable {
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");

    private final String before;

    private HugePagePool(String before) {
        this.before = before;
    }

    /** Adds {@code pages} 2 MiB huge pages to the pool. */
    public static HugePagePool reserve(long pages) throws IOException {
        String before = Files.readString(NR_HUGEPAGES).trim();
        Files.writeString(NR_HUGEPAGES, Long.toString(Long.parseLong(before) + pages));
        return new HugePagePool(before);
    }

    /** Puts the pool back to what it was before {@link #reserve}. */
    @Override
    public void close() throws IOException {
        Files.writeString(NR_HUGEPAGES, before);
    }
}
