package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.VfioNative;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;

/**
 * A memory-mapped device region (a BAR). Every access is bounds- and alignment-checked and is one
 * load or store of exactly the requested width, done in C through a volatile pointer: MMIO must
 * never go through a ByteBuffer, whose width the JIT may change. A write to a region the device does
 * not let be written (mapped without PROT_WRITE), or a read of one it does not let be read, is
 * refused with {@link UnsupportedOperationException}: the store or load would kill the JVM.
 * <p>
 * Accesses hold a read lock and {@link #close()} the write lock, so the range is never unmapped
 * under an access: a fault in the C accessor would kill the JVM (HotSpot forgives SIGBUS only in
 * Unsafe accesses). An access after close throws {@link IllegalStateException}; so does one while the
 * device does not decode its BARs (a config write cleared Memory Space in COMMAND or put it in D3hot,
 * and vfio-pci unmapped them).
 * <p>
 * StampedLock lets readers barge past a waiting writer, so threads reading in a loop could hold
 * the lock between them forever and starve close. {@link #close()} therefore first raises
 * {@code closing}; an access that sees it never takes the lock, and close waits only for the
 * accesses already in flight.
 */
public final class Mmio implements AutoCloseable {
    private final long address;
    private final long size;
    private final boolean readable;
    private final boolean writable;
    private final String description;
    /** Told once when this mapping is unmapped: its device stops tracking it. */
    private final Consumer<Mmio> onUnmap;
    /** Whether the device decodes its BARs; null for a mapping of something else (the tests'). */
    private final MemoryDecode decode;
    private final StampedLock lock = new StampedLock();
    private volatile boolean closing;
    private boolean closed;

    Mmio(long address, long size, boolean readable, boolean writable, String description, Consumer<Mmio> onUnmap) {
        this(address, size, readable, writable, description, onUnmap, null);
    }

    Mmio(long address, long size, boolean readable, boolean writable, String description, Consumer<Mmio> onUnmap,
            MemoryDecode decode) {
        this.address = address;
        this.size = size;
        this.readable = readable;
        this.writable = writable;
        this.description = description;
        this.onUnmap = onUnmap;
        this.decode = decode;
    }

    public long size() {
        return size;
    }

    /** Whether the region may be read (VFIO_REGION_INFO_FLAG_READ); reads of one that may not are refused. */
    public boolean readable() {
        return readable;
    }

    /** Whether the region may be written (VFIO_REGION_INFO_FLAG_WRITE); writes to one that may not are refused. */
    public boolean writable() {
        return writable;
    }

    /**
     * Takes the read lock for one access, unless close has begun; first waits out a config write that
     * holds the device's accesses (it holds the write lock, which new readers would otherwise barge past
     * while it waits for the accesses in flight).
     */
    private long enter() {
        if (closing) {
            throw unmapped();
        }
        if (decode != null) {
            decode.awaitRelease();
        }
        return lock.readLock();
    }

    /**
     * Waits for the accesses in flight and keeps new ones out until {@link #releaseAccesses}: a config
     * write may turn decoding off.
     */
    long holdAccesses() {
        return lock.writeLock();
    }

    void releaseAccesses(long stamp) {
        lock.unlockWrite(stamp);
    }

    private IllegalStateException unmapped() {
        return new IllegalStateException(description + " is unmapped");
    }

    /** The address of an access ({@code write}: a store); the caller holds the read lock. */
    private long at(long offset, int width, boolean write) {
        if (closed) {
            throw unmapped();
        }
        String off = decode != null ? decode.off() : null;
        if (off != null) {
            throw new IllegalStateException(String.format("%s: a %d-bit %s at offset 0x%x: %s", description, width * 8,
                    write ? "write" : "read", offset, off));
        }
        if (write ? !writable : !readable) {
            throw new UnsupportedOperationException(String.format("%s: a %d-bit %s at offset 0x%x: the region is not %s",
                    description, width * 8, write ? "write" : "read", offset, write ? "writable" : "readable"));
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
            return VfioNative.mmioRead8(at(offset, 1, false));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int read16(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead16(at(offset, 2, false));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public int read32(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead32(at(offset, 4, false));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public long read64(long offset) {
        long stamp = enter();
        try {
            return VfioNative.mmioRead64(at(offset, 8, false));
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write8(long offset, int value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite8(at(offset, 1, true), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write16(long offset, int value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite16(at(offset, 2, true), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write32(long offset, int value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite32(at(offset, 4, true), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    public void write64(long offset, long value) {
        long stamp = enter();
        try {
            VfioNative.mmioWrite64(at(offset, 8, true), value);
        } finally {
            lock.unlockRead(stamp);
        }
    }

    /** Waits for the accesses in flight, then unmaps; idempotent. */
    @Override
    public void close() throws VfioException {
        closing = true;
        long stamp = lock.writeLock();
        boolean unmapped = false;
        try {
            if (!closed) {
                closed = true;
                unmapped = true;
                Errors.check(UnixNative.munmap(address, size), "munmap", description);
            }
        } finally {
            lock.unlockWrite(stamp);
            if (unmapped) {
                onUnmap.accept(this); // outside the lock: the device's lock is never taken under it
            }
        }
    }

    @Override
    public String toString() {
        return description + (closing ? " (unmapped)" : "");
    }
}
