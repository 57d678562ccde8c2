package io.jvfio.it.vfio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.jvfio.cli.demo.Edu;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.DmaMapper;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * What an unmap must guarantee, checked with edu's DMA engine through the vIOMMU: once an IOVA is
 * unmapped, the device can neither write nor read the memory that was behind it. The same IOVA is
 * first shown to work while mapped, so a blocked DMA cannot be mistaken for a broken one, and the
 * memory stays allocated and unchanged-by-the-CPU, so only the device could have touched it.
 */
final class DmaIsolation {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);
    private static final int LENGTH = 256;
    /** Where the device's data comes from and where its buffer is read back to: always mapped. */
    private static final long STAGING_IOVA = 0x600000;
    /** The IOVA under test: mapped, used, unmapped, used again. */
    private static final long VICTIM_IOVA = 0x680000;

    private DmaIsolation() {}

    /** Runs the check through the legacy container or an IOAS. */
    static void check(Edu edu, DmaMapper mapper) throws Exception {
        byte[] fromDevice = pattern(0x11);
        byte[] inMemory = pattern(0x77);
        try (DmaBuffer staging = DmaBuffer.allocate(4096); DmaBuffer victim = DmaBuffer.allocate(4096)) {
            mapper.map(staging, STAGING_IOVA, RW);
            boolean victimMapped = false;
            try {
                staging.buffer().put(0, fromDevice);
                edu.dmaToDevice(STAGING_IOVA, 0, LENGTH);

                mapper.map(victim, VICTIM_IOVA, RW);
                victimMapped = true;
                edu.dmaToRam(0, VICTIM_IOVA, LENGTH);
                assertArrayEquals(fromDevice, read(victim), "while mapped, the device writes the memory behind the IOVA");
                victim.buffer().put(0, inMemory);
                victimMapped = false;
                assertEquals(4096, mapper.unmap(VICTIM_IOVA, 4096));

                edu.dmaToRam(0, VICTIM_IOVA, LENGTH);
                assertArrayEquals(inMemory, read(victim), "after the unmap, a device write to the IOVA must not reach the memory");

                edu.dmaToDevice(VICTIM_IOVA, 0, LENGTH);
                edu.dmaToRam(0, STAGING_IOVA, LENGTH);
                assertFalse(Arrays.equals(inMemory, read(staging)),
                        "after the unmap, a device read from the IOVA must not see the memory that was behind it");
            } finally {
                if (victimMapped) {
                    mapper.unmap(VICTIM_IOVA, 4096);
                }
                mapper.unmap(STAGING_IOVA, 4096);
            }
        }
    }

    private static byte[] pattern(int seed) {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (seed + i * 31);
        }
        return b;
    }

    private static byte[] read(DmaBuffer buffer) {
        byte[] b = new byte[LENGTH];
        buffer.buffer().get(0, b);
        return b;
    }
}
