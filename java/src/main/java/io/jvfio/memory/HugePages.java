package io.jvfio.memory;

import io.jvfio.internal.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Why a hugetlb-backed memfd could not be made: the kernel's pool of 2 MiB pages
 * ({@code /sys/kernel/mm/hugepages/hugepages-2048kB}) is empty by default, and hugetlbfs reserves a
 * mapping's pages at mmap time. That pool, not {@code /proc/sys/vm/nr_hugepages}, which is the pool of
 * the default size, 1 GiB on a host booted with {@code default_hugepagesz=1G}.
 */
final class HugePages {
    private static final Path POOL = Path.of("/sys/kernel/mm/hugepages/hugepages-2048kB");
    private static final Path NR_HUGEPAGES = POOL.resolve("nr_hugepages");
    private static final Path FREE_HUGEPAGES = POOL.resolve("free_hugepages");

    private HugePages() {}

    /** The hint for {@code errno} from memfd_create, ftruncate or mmap of {@code length} bytes of huge pages; null for other errnos. */
    static String hint(int errno, long length) {
        long needed = length / DmaBuffer.HUGE_PAGE_SIZE;
        long reserved = read(NR_HUGEPAGES);
        long free = read(FREE_HUGEPAGES);
        // Enough even when the free pages are reserved by other mappings already.
        String reserve = "reserve huge pages: echo " + (Math.max(0, reserved) + needed) + " > " + NR_HUGEPAGES;
        if (errno == Errno.ENOMEM) {
            return "not enough free 2 MiB huge pages for " + needed + " (" + NR_HUGEPAGES + " is "
                    + (reserved < 0 ? "unreadable" : reserved) + ", " + (free < 0 ? "free pages unknown" : free + " free")
                    + "); " + reserve;
        }
        if (errno == Errno.EINVAL) {
            return "this kernel gives a memfd no 2 MiB huge pages (it needs CONFIG_HUGETLBFS and that page size)"
                    + "; where it does, " + reserve;
        }
        return null;
    }

    /** The number a sysfs file holds; -1 when unreadable. */
    private static long read(Path file) {
        try {
            return Long.parseLong(Files.readString(file).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
