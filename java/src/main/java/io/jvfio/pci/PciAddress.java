package io.jvfio.pci;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PCI address (domain:bus:device.function), e.g. {@code 0000:00:04.0}. */
public record PciAddress(int domain, int bus, int device, int function) implements Comparable<PciAddress> {
    private static final Pattern BDF = Pattern.compile(
            "(?:([0-9a-fA-F]{1,5}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\\.([0-7])");

    /** Intel VMD puts its devices in domains from 0x10000: five hex digits in sysfs. */
    private static final int MAX_DOMAIN = 0xfffff;

    public PciAddress {
        if (domain < 0 || domain > MAX_DOMAIN || bus < 0 || bus > 0xff || device < 0 || device > 0x1f
                || function < 0 || function > 7) {
            throw new IllegalArgumentException(String.format(
                    "not a PCI address: domain %x bus %x device %x function %x", domain, bus, device, function));
        }
    }

    /** Parses {@code 0000:00:04.0} or the short {@code 00:04.0}; the message says what was wrong. */
    public static PciAddress parse(String text) {
        Matcher m = BDF.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address: expected DDDD:BB:DD.F,"
                    + " e.g. 0000:00:04.0 (see lspci -D)");
        }
        int device = Integer.parseInt(m.group(3), 16);
        if (device > 0x1f) {
            throw new IllegalArgumentException("'" + text + "' is not a PCI address: device "
                    + m.group(3) + " is above 1f");
        }
        return new PciAddress(m.group(1) == null ? 0 : Integer.parseInt(m.group(1), 16),
                Integer.parseInt(m.group(2), 16), device, Integer.parseInt(m.group(4)));
    }

    @Override
    public int compareTo(PciAddress o) {
        return Long.compare(sortKey(), o.sortKey());
    }

    private long sortKey() {
        return ((long) domain << 16) | (bus << 8) | (device << 3) | function;
    }

    @Override
    public String toString() {
        return String.format("%04x:%02x:%02x.%x", domain, bus, device, function);
    }
}
