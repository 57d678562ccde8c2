package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.VfioNative;
import java.util.concurrent.locks.StampedLock;

/**
 * A memory-mapped device region (a BAR). Every access is bounds- and alignment-checked and is one
 * load or store of exactly the requested width, done in C through a volatile pointer: MMIO must
 * never go through a ByteBuffer, whose width the JIT may change.
 * <p>
 * Accesses hold a read lock and {@link #close()} the write lock, so the range is never unmapped
 * under an access: a fault in the C accessor would kill the JVM (HotSpot forgives SIGBUS only in
 * Unsafe accesses). An access after close throws {@link IllegalStateException}.
 * <p>
 * StampedLock lets readers barge past a waiting writer, so threads reading in a loop could hold
 * the lock between them forever and starve close. {@link #close()} therefore first raises
 * {@code closing}; an access that sees it never takes the lock, and close waits only for the
 * accesses already in flight.
 */
public final class Mmio implements AutoCloseable {
    private final long address;
    private final long size;
    private final String description;
    private final StampedLock lock = new StampedLock();
    private volatile boolean closing;
    private boolean closed;

    Mmio(long address, long size, String description) {
        this.address = address;
        this.size = size;
        this.description = description;
    }

    public long size() {
        return size;
    }

    /** Takes the read lock for one access, unless close has begun. */
    private long enter() {
        if (closing) {
            throw unmapped();
        }
        return lock.readLock();
    }

    private IllegalStateException unmapped() {
        return new IllegalStateException(description + " is unmapped");
    }

    /** The address of an access; the caller holds the read lock. */
    private long at(long offset, int width) {
        if (closed) {
            throw unmapped();
        }
        if (offset < 0 || offset > size - width) {
            throw new IndexOutOfBoundsException(String.format("%s: offset 0x%x + %d is outside 0..0x%x",
                    description, offset, width, size));
        }
        if ((offset & (width - 1)) != 0) {
            throw new IllegalArgumentException(String.format("%s: offset 0x%x is not aligned for a %d-bit access",
                    description, offset, width * 8));
        }
        return address + offset;
    }

    public int read8(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead8(at(offset, 1));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int read16(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead16(at(offset, 2));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int read32(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead32(at(offset, 4));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public long read64(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead64(at(offset, 8));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write8(long offset, int value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite8(at(offset, 1), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write16(long offset, int value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite16(at(offset, 2), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write32(long offset, int value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite32(at(offset, 4), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write64(long offset, long value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite64(at(offset, 8), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Waits for the accesses in flight, then unmaps; idempotent. */
    @Override
    public void close() throws VfioException {
        closing = true;
        long stamp = lock.writeLock();
        try {
            if (!closed) {
                closed = true;
                Errors.check(UnixNative.munmap(address, size), "munmap", description);
            }
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Override
    public String toString() {
        return description + (closing ? " (unmapped)" : "");
    }
}
