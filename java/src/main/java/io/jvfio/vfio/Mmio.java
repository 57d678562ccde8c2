package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.VfioNative;

/**
 * A memory-mapped device region (a BAR). Every access is bounds- and alignment-checked and is one
 * load or store of exactly the requested width, done in C through a volatile pointer: MMIO must
 * never go through a ByteBuffer, whose width the JIT may change.
 */
public final class Mmio implements AutoCloseable {
    private final long address;
    private final long size;
    private final String description;
    private volatile boolean closed;

    Mmio(long address, long size, String description) {
        this.address = address;
        this.size = size;
        this.description = description;
    }

    public long size() {
        return size;
    }

    private long at(long offset, int width) {
        if (closed) {
            throw new IllegalStateException(description + " is unmapped");
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
        return VfioNative.mmioRead8(at(offset, 1));
    }

    public int read16(long offset) {
        return VfioNative.mmioRead16(at(offset, 2));
    }

    public int read32(long offset) {
        return VfioNative.mmioRead32(at(offset, 4));
    }

    public long read64(long offset) {
        return VfioNative.mmioRead64(at(offset, 8));
    }

    public void write8(long offset, int value) {
        VfioNative.mmioWrite8(at(offset, 1), value);
    }

    public void write16(long offset, int value) {
        VfioNative.mmioWrite16(at(offset, 2), value);
    }

    public void write32(long offset, int value) {
        VfioNative.mmioWrite32(at(offset, 4), value);
    }

    public void write64(long offset, long value) {
        VfioNative.mmioWrite64(at(offset, 8), value);
    }

    @Override
    public synchronized void close() throws VfioException {
        if (!closed) {
            closed = true;
            Errors.check(UnixNative.munmap(address, size), "munmap", description);
        }
    }

    @Override
    public String toString() {
        return description + (closed ? " (unmapped)" : "");
    }
}
