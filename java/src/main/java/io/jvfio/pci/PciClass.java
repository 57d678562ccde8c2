package io.jvfio.pci;

/** Readable names for the PCI base classes (PCI Code and ID Assignment specification). */
final class PciClass {
    private static final String[] BASE = {
        "unclassified", "storage controller", "network controller", "display controller",
        "multimedia controller", "memory controller", "bridge", "communication controller",
        "system peripheral", "input device", "docking station", "processor", "serial bus controller",
        "wireless controller", "intelligent controller", "satellite controller", "encryption controller",
        "signal processing controller", "processing accelerator", "non-essential instrumentation",
    };

    private PciClass() {}

    static String describe(int classCode) {
        int base = (classCode >>> 16) & 0xff;
        return base < BASE.length ? BASE[base] : base == 0xff ? "unassigned class" : String.format("class %02x", base);
    }
}
