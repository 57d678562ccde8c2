package io.jvfio.internal;

import io.jvfio.VfioException;

/**
 * Turns the shim's {@code -errno} results into {@link VfioException}s. Expected, hot errors such as
 * EAGAIN are handled by callers as return values before they get here.
 */
public final class Errors {
    private Errors() {}

    /** Returns {@code result} when it is {@code >= 0}, else throws for {@code -result}. */
    public static long check(long result, String operation, String object) throws VfioException {
        if (result < 0) {
            throw failure(operation, object, (int) -result);
        }
        return result;
    }

    public static int check(int result, String operation, String object) throws VfioException {
        if (result < 0) {
            throw failure(operation, object, -result);
        }
        return result;
    }

    public static VfioException failure(String operation, String object, int errno) {
        return VfioException.of(operation, object, errno, hint(operation, errno));
    }

    public static VfioException failure(String operation, String object, int errno, String hint) {
        return VfioException.of(operation, object, errno, hint != null ? hint : hint(operation, errno));
    }

    /** The usual cause of an errno for a family of operations, or null. */
    static String hint(String operation, int errno) {
        if (errno == Errno.ENOTTY) {
            return "the descriptor is not the kind of object this ioctl is for, or this kernel lacks the ioctl";
        }
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            return "run as root, or give this user access to /dev/vfio and /dev/iommu (and raise the memlock limit)";
        }
        if (errno == Errno.ENOMEM && operation.contains("MAP") && !operation.contains("UNMAP")) { // the IOMMU maps, which pin
            long limit = UnixNative.memlockLimit();
            return limit == Long.MAX_VALUE ? "the kernel could not pin or allocate the memory (RLIMIT_MEMLOCK is unlimited)"
                    : "pinning memory for DMA counts against RLIMIT_MEMLOCK (now " + limit + " bytes); raise it with ulimit -l";
        }
        if (errno == Errno.ENOMEM && operation.startsWith("mmap")) { // an mmap does not pin: the limit is not why
            return "not enough memory or address space for the mapping (see MemAvailable in /proc/meminfo,"
                    + " vm.overcommit_memory and ulimit -v)";
        }
        if (errno == Errno.ENOENT && operation.equals("open")) {
            return "the device node does not exist: is the module loaded (vfio-pci, iommufd) and the device bound to vfio-pci?";
        }
        return null;
    }
}
