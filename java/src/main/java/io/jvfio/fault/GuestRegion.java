package io.jvfio.fault;

import io.jvfio.memory.Access;
import io.jvfio.memory.IovaRange;
import java.util.EnumSet;
import java.util.Set;

/**
 * A range of guest memory the device may reach: {@code length} bytes of the process's memory at
 * {@code userAddress}, seen by the device at {@code iova}, with the most access allowed.
 */
public record GuestRegion(long iova, long userAddress, long length, Set<Access> access) {
    public GuestRegion {
        if (length <= 0) {
            throw new IllegalArgumentException("a guest region needs a positive length, not " + length);
        }
        if (Long.compareUnsigned(iova + length - 1, iova) < 0 || Long.compareUnsigned(userAddress + length - 1, userAddress) < 0) {
            throw new IllegalArgumentException(String.format("guest region at IOVA 0x%x, user address 0x%x, of 0x%x bytes"
                    + " wraps past the end of the address space", iova, userAddress, length));
        }
        if (access == null || access.isEmpty()) {
            throw new IllegalArgumentException(String.format("guest region at IOVA 0x%x: the device may neither read nor"
                    + " write it (access %s); give READ, WRITE or both, or leave the region out", iova, access));
        }
        access = Set.copyOf(EnumSet.copyOf(access));
    }

    public IovaRange iovaRange() {
        return IovaRange.ofLength(iova, length);
    }

    public boolean contains(long address) {
        return Long.compareUnsigned(address - iova, length) < 0;
    }

    /** The user address backing an IOVA of this region. */
    public long userAddressOf(long address) {
        return userAddress + (address - iova);
    }
}
