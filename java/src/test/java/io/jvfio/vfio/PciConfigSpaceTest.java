package io.jvfio.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jvfio.VfioException;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Config space accesses through pread/pwrite, against a file that stands in for the device fd: the
 * config region sits at {@link #REGION_OFFSET} in it, after bytes that must never be touched.
 */
class PciConfigSpaceTest {
    private static final long REGION_OFFSET = 0x7000;
    private static final int SIZE = 0x100;

    @TempDir
    Path dir;
    private Path file;
    private OwnedFd fd;

    @BeforeEach
    void open() throws Exception {
        byte[] bytes = new byte[(int) REGION_OFFSET + SIZE];
        for (int i = 0; i < SIZE; i++) {
            bytes[(int) REGION_OFFSET + i] = (byte) i;
        }
        file = Files.write(dir.resolve("device"), bytes);
        fd = new OwnedFd(UnixNative.open(file.toString(), UnixConstants.O_RDWR), "device 0000:00:04.0");
    }

    @AfterEach
    void close() throws Exception {
        fd.close();
    }

    private PciConfigSpace config(RegionFlag... flags) {
        EnumSet<RegionFlag> set = EnumSet.noneOf(RegionFlag.class);
        set.addAll(List.of(flags));
        return new PciConfigSpace(fd, new VfioRegionInfo(PciIndex.CONFIG, set, 0, SIZE, REGION_OFFSET, List.of(),
                Optional.empty()));
    }

    private byte[] region() throws Exception {
        byte[] all = Files.readAllBytes(file);
        byte[] out = new byte[SIZE];
        System.arraycopy(all, (int) REGION_OFFSET, out, 0, SIZE);
        return out;
    }

    @Test
    void valuesAreReadLittleEndianFromTheRegion() throws Exception {
        PciConfigSpace config = config(RegionFlag.READ, RegionFlag.WRITE);
        assertEquals(0x00, config.read8(PciConfigSpace.VENDOR_ID));
        assertEquals(0xff, config.read8(0xff), "unsigned");
        assertEquals(0x0504, config.read16(PciConfigSpace.COMMAND));
        assertEquals(0xfffe, config.read16(0xfe), "unsigned");
        assertEquals(0x0b0a0908, config.read32(0x08));
        assertEquals(0xfffefdfc, config.read32(0xfc));
        assertEquals(SIZE, config.size());
        assertArrayEquals(region(), config.readBytes(0, SIZE));
    }

    @Test
    void writesChangeOnlyTheirBytes() throws Exception {
        PciConfigSpace config = config(RegionFlag.READ, RegionFlag.WRITE);
        byte[] expected = region();
        config.write8(0x10, 0xab);
        config.write16(0x20, 0xbeef);
        config.write32(0x30, 0xdeadbeef);
        expected[0x10] = (byte) 0xab;
        expected[0x20] = (byte) 0xef;
        expected[0x21] = (byte) 0xbe;
        expected[0x30] = (byte) 0xef;
        expected[0x31] = (byte) 0xbe;
        expected[0x32] = (byte) 0xad;
        expected[0x33] = (byte) 0xde;
        assertArrayEquals(expected, region());
        assertEquals(REGION_OFFSET + SIZE, Files.size(file), "nothing written past the region");
    }

    @Test
    void busMasterIsOneBitOfTheCommandRegister() throws Exception {
        PciConfigSpace config = config(RegionFlag.READ, RegionFlag.WRITE);
        config.setBusMaster(true);
        assertEquals(0x0504, config.read16(PciConfigSpace.COMMAND), "bit 2 of 0x04 was already set");
        config.setBusMaster(false);
        assertEquals(0x0500, config.read16(PciConfigSpace.COMMAND));
        config.setBusMaster(true);
        assertEquals(0x0504, config.read16(PciConfigSpace.COMMAND));
    }

    @Test
    void accessesOutsideTheSpaceNameTheDeviceAndOffset() {
        PciConfigSpace config = config(RegionFlag.READ, RegionFlag.WRITE);
        VfioException e = assertThrows(VfioException.class, () -> config.read32(0xfe));
        assertEquals("read config(device 0000:00:04.0, config offset 0xfe, 4 bytes): outside config space (0x100 bytes)",
                e.getMessage());
        assertThrows(VfioException.class, () -> config.read8(-1));
        assertThrows(VfioException.class, () -> config.readBytes(0, SIZE + 1));
        e = assertThrows(VfioException.class, () -> config.write16(0xff, 0));
        assertEquals("write config", e.operation());
    }

    @Test
    void valuesWiderThanTheAccessAreRefused() {
        PciConfigSpace config = config(RegionFlag.READ, RegionFlag.WRITE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.write16(0x04, 0x10000));
        assertEquals("0x10000 does not fit in 16 bits (config write at 0x4)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config.write8(0x04, -1));
    }

    @Test
    void aRegionWithoutWriteIsNotWritten() throws Exception {
        PciConfigSpace config = config(RegionFlag.READ);
        VfioException e = assertThrows(VfioException.class, () -> config.write8(0x10, 1));
        assertEquals("write config(device 0000:00:04.0, config offset 0x10, 1 byte): the config region is not writable",
                e.getMessage());
        assertEquals(0x10, config.read8(0x10));
    }

    @Test
    void aClosedDeviceIsNotAccessed() throws Exception {
        PciConfigSpace config = config(RegionFlag.READ, RegionFlag.WRITE);
        fd.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> config.read16(0));
        assertEquals("cannot read config: device 0000:00:04.0 is closed", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> config.setBusMaster(true));
        assertEquals("cannot read config: device 0000:00:04.0 is closed", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> config.write8(0x3c, 1));
        assertEquals("cannot write config: device 0000:00:04.0 is closed", e.getMessage());
    }
}
