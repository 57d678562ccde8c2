package io.jvfio.internal;

import io.jvfio.memory.Access;
import java.util.function.Supplier;

/**
 * What a DMA map refuses before the kernel sees it: the kernel answers these with a bare EINVAL or
 * EOVERFLOW, which does not say which value is wrong. The fault path's {@code tryMap} skips them and
 * returns the kernel's errno, as it promises. The object is named through a supplier: a map that
 * passes builds no message.
 */
public final class MappingChecks {
    /**
     * The hint for EFAULT where an IOAS's pages are pinned: the first attach of a device to it, or the
     * first HW page table allocated on it.
     */
    public static final String PIN_FAILED_HINT = pinFailedHint("the IOAS");

    /**
     * The hint for EFAULT where the kernel pins the pages of the mappings in {@code where} (an IOAS, or
     * iommufd's compatibility container at its first device's open), which BufferLeases keeps closed
     * buffers from handing to other memory.
     */
    public static String pinFailedHint(String where) {
        return "the kernel could not pin the memory of a mapping in " + where + ": a DmaBuffer mapped there was closed"
                + " before it was unmapped (its addresses are kept reserved, with no memory), or a raw mapping names"
                + " memory that is gone; unmap it first";
    }

    private MappingChecks() {}

    /**
     * Refuses an access mask asking for nothing (or for bits beyond READ and WRITE), a length that is
     * not positive and, for a fixed IOVA, a range that passes the top of the 64-bit IOVA space.
     */
    public static void check(String operation, Supplier<String> object, long iova, long length, boolean fixedIova,
            int accessMask) {
        Access.checkMask(accessMask);
        if (accessMask == 0) {
            throw new IllegalArgumentException(operation + "(" + object.get() + "): no access given: a DMA mapping needs"
                    + " Access.READ, Access.WRITE or both");
        }
        checkRange(operation, object, iova, length, fixedIova);
    }

    /** Refuses a length that is not positive and, for a fixed IOVA, a range past the top of the IOVA space. */
    public static void checkRange(String operation, Supplier<String> object, long iova, long length, boolean fixedIova) {
        if (length <= 0) {
            throw new IllegalArgumentException(operation + "(" + object.get() + "): the length must be positive, not " + length
                    + (length < 0 ? String.format(" (0x%x)", length) : ""));
        }
        if (fixedIova && Long.compareUnsigned(iova + length - 1, iova) < 0) {
            throw new IllegalArgumentException(String.format("%s(%s): iova 0x%x + length 0x%x passes the top of the 64-bit"
                    + " IOVA space", operation, object.get(), iova, length));
        }
    }
}
