package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixNative;
import io.jvfio.pci.PciCapabilities;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A device's PCI config space, as vfio-pci exposes it (its config region, read and written with
 * pread/pwrite on the device fd; vfio-pci virtualizes parts of it). The region's place in the fd is
 * looked up once, when {@link VfioDevice#pciConfig()} first hands this out: an access costs one
 * system call. Accesses are little-endian, as PCI is, and checked against the region's size.
 */
public final class PciConfigSpace {
    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    /** Bus Master in {@link #COMMAND}: DMA needs it, and vfio-pci leaves it off. */
    public static final int COMMAND_MASTER = 0x04;
    /** PCI Express config space; {@link PciCapabilities} reads no further. */
    private static final int PCIE_SIZE = 4096;

    private final OwnedFd fd;
    private final long regionOffset;
    private final long size;
    private final boolean readable;
    private final boolean writable;
    /** Holds one value on its way through pread/pwrite; guarded by this. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final long scratchAddress = UnixNative.address(scratch);
    /** What every write goes through: the device's, so that one that may turn off BAR decoding holds its MMIO. */
    private final WriteGate gate;

    /** A config write, run by a {@link WriteGate}; returns the bytes it wrote. */
    @FunctionalInterface
    interface ConfigWrite {
        byte[] run() throws VfioException;
    }

    /** Runs each config write of bytes {@code [offset, offset + length)}, e.g. holding what it may affect. */
    @FunctionalInterface
    interface WriteGate {
        void write(int offset, int length, ConfigWrite write) throws VfioException;
    }

    /** Over the config region {@code region} of the device open as {@code fd}, with nothing around its writes. */
    PciConfigSpace(OwnedFd fd, VfioRegionInfo region) {
        this(fd, region, (offset, length, write) -> write.run());
    }

    PciConfigSpace(OwnedFd fd, VfioRegionInfo region, WriteGate gate) {
        this.fd = fd;
        this.gate = gate;
        this.regionOffset = region.offset();
        this.size = region.size();
        this.readable = region.readable();
        this.writable = region.writable();
    }

    /** The bytes of config space: 256 for PCI, 4096 for PCIe. */
    public long size() {
        return size;
    }

    public int read8(int offset) throws VfioException {
        return readValue(offset, 1) & 0xff;
    }

    public int read16(int offset) throws VfioException {
        return readValue(offset, 2) & 0xffff;
    }

    public int read32(int offset) throws VfioException {
        return readValue(offset, 4);
    }

    public void write8(int offset, int value) throws VfioException {
        writeValue(offset, 1, value);
    }

    public void write16(int offset, int value) throws VfioException {
        writeValue(offset, 2, value);
    }

    public void write32(int offset, int value) throws VfioException {
        writeValue(offset, 4, value);
    }

    /** {@code length} bytes from {@code offset}, e.g. the whole space for {@link io.jvfio.pci.PciCapabilities}. */
    public byte[] readBytes(int offset, int length) throws VfioException {
        check("read config", offset, length, readable);
        ByteBuffer buf = ByteBuffer.allocateDirect(length);
        pread(UnixNative.address(buf), offset, length);
        byte[] out = new byte[length];
        buf.get(0, out);
        return out;
    }

    /** The capability lists, read from the whole space in one go. */
    public PciCapabilities capabilities() throws VfioException {
        return PciCapabilities.parse(readBytes(0, (int) Math.min(PCIE_SIZE, size)));
    }

    /** Turns PCI Bus Master on or off (read, modify, write {@link #COMMAND}, as one write for the gate). */
    public void setBusMaster(boolean on) throws VfioException {
        check("write config", COMMAND, 2, writable);
        gate.write(COMMAND, 2, () -> {
            int command = read16(COMMAND);
            return writeNow(COMMAND, 2, on ? command | COMMAND_MASTER : command & ~COMMAND_MASTER);
        });
    }

    private synchronized int readValue(int offset, int width) throws VfioException {
        check("read config", offset, width, readable);
        pread(scratchAddress, offset, width);
        return switch (width) {
            case 1 -> scratch.get(0);
            case 2 -> scratch.getShort(0);
            default -> scratch.getInt(0);
        };
    }

    /** Reads exactly {@code length} bytes at {@code offset} into {@code address}; the caller checked the range. */
    private void pread(long address, int offset, int length) throws VfioException {
        long n = Errors.check(fd.call("read config", f -> UnixNative.pread(f, address, length, regionOffset + offset)),
                "read config", object(offset, length));
        if (n != length) {
            throw new VfioException("read config", object(offset, length), "short read of " + n + " bytes");
        }
    }

    private void writeValue(int offset, int width, int value) throws VfioException {
        if (width < Integer.BYTES && value >>> (8 * width) != 0) {
            throw new IllegalArgumentException(String.format("0x%x does not fit in %d bits (config write at 0x%x)",
                    value, 8 * width, offset));
        }
        check("write config", offset, width, writable);
        gate.write(offset, width, () -> writeNow(offset, width, value));
    }

    /**
     * The write itself, under this object's lock (its scratch buffer); the gate's locks come before it,
     * never under it. Returns the bytes written.
     */
    private synchronized byte[] writeNow(int offset, int width, int value) throws VfioException {
        switch (width) {
            case 1 -> scratch.put(0, (byte) value);
            case 2 -> scratch.putShort(0, (short) value);
            default -> scratch.putInt(0, value);
        }
        long n = Errors.check(fd.call("write config", f -> UnixNative.pwrite(f, scratchAddress, width, regionOffset + offset)),
                "write config", object(offset, width));
        if (n != width) {
            throw new VfioException("write config", object(offset, width), "short write of " + n + " bytes");
        }
        byte[] written = new byte[width];
        scratch.get(0, written);
        return written;
    }

    private void check(String operation, int offset, int length, boolean allowed) throws VfioException {
        if (offset < 0 || length < 0 || (long) offset + length > size) {
            throw new VfioException(operation, object(offset, length), String.format(
                    "outside config space (0x%x bytes)", size));
        }
        if (!allowed) {
            throw new VfioException(operation, object(offset, length), "the config region is not "
                    + (operation.startsWith("read") ? "readable" : "writable"));
        }
    }

    private String object(int offset, int length) {
        return String.format("%s, config offset 0x%x, %d byte%s", fd.description(), offset, length, length == 1 ? "" : "s");
    }

    @Override
    public String toString() {
        return fd.description() + " config space";
    }
}
