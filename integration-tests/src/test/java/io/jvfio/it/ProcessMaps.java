package io.jvfio.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's memory mappings, as /proc/self/maps lists them: what a test asks of an address. */
public final class ProcessMaps {
    private ProcessMaps() {}

    /** The line of /proc/self/maps that holds {@code address}, or "" when it is unmapped. */
    public static String mappingAt(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.compareUnsigned(Long.parseUnsignedLong(range[0], 16), address) <= 0
                    && Long.compareUnsigned(address, Long.parseUnsignedLong(range[1], 16)) < 0) {
                return line;
            }
        }
        return "";
    }
}
