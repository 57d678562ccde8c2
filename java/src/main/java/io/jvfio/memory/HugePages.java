package io.jvfio.memory;

import io.jvfio.internal.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why a hugetlb-backed memfd could not be made: the kernel's huge page pool
 * ({@code /proc/sys/vm/nr_hugepages}, {@code HugePages_Free} in {@code /proc/meminfo}) is empty by
 * default, and hugetlbfs reserves a mapping's pages at mmap time.
 */
final class HugePages {
    private static final Path NR_HUGEPAGES = Path.of("/proc/sys/vm/nr_hugepages");
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private HugePages() {}

    /** The hint for {@code errno} from memfd_create, ftruncate or mmap of {@code length} bytes of huge pages; null for other errnos. */
    static String hint(int errno, long length) {
        long needed = length / DmaBuffer.HUGE_PAGE_SIZE;
        long reserved = read(NR_HUGEPAGES, null);
        long free = read(MEMINFO, "HugePages_Free:");
        // Enough even when the free pages are reserved by other mappings already.
        String reserve = "reserve huge pages: echo " + (Math.max(0, reserved) + needed) + " > " + NR_HUGEPAGES;
        if (errno == Errno.ENOMEM) {
            return "not enough free 2 MiB huge pages for " + needed + " (" + NR_HUGEPAGES + " is "
                    + (reserved < 0 ? "unreadable" : reserved) + ", " + (free < 0 ? "HugePages_Free unknown" : free + " free")
                    + "); " + reserve;
        }
        if (errno == Errno.EINVAL) {
            return "this kernel gives a memfd no 2 MiB huge pages (it needs CONFIG_HUGETLBFS and that page size)"
                    + "; where it does, " + reserve;
        }
        return null;
    }

    /** A number from a /proc file: the whole file, or the line starting with {@code key}; -1 when unreadable. */
    private static long read(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (key == null) {
                    return Long.parseLong(line.strip());
                }
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
