package io.jvfio.pci;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;

/**
 * The capabilities a function's config space lists: the standard list from 0x34 and the PCIe
 * extended list from 0x100, walked with loop and bounds checks (config space comes from devices and
 * may be garbage). Answers the questions that matter for I/O page faults: ATS, PRI and PASID.
 */
public final class PciCapabilities {
    public static final int CAP_PM = 0x01;
    public static final int CAP_MSI = 0x05;
    public static final int CAP_EXP = 0x10;
    public static final int CAP_MSIX = 0x11;
    public static final int EXT_AER = 0x01;
    public static final int EXT_DSN = 0x03;
    public static final int EXT_ACS = 0x0d;
    public static final int EXT_ATS = 0x0f;
    public static final int EXT_SRIOV = 0x10;
    public static final int EXT_PRI = 0x13;
    public static final int EXT_PASID = 0x1b;

    private static final int STATUS = 0x06;
    private static final int STATUS_CAP_LIST = 0x10;
    private static final int CAPABILITY_LIST = 0x34;
    private static final int EXTENDED_START = 0x100;
    private static final int PASID_CAP = 0x04;
    private static final int PRI_MAX_REQUESTS = 0x08;

    /** One entry: its id and where it sits in config space. */
    public record Capability(int id, int offset) {}

    private final byte[] config;
    private final List<Capability> standard;
    private final List<Capability> extended;

    private PciCapabilities(byte[] config, List<Capability> standard, List<Capability> extended) {
        this.config = config;
        this.standard = standard;
        this.extended = extended;
    }

    /** Parses config space as sysfs or VFIO return it (64, 256 or 4096 bytes). */
    public static PciCapabilities parse(byte[] config) {
        byte[] copy = config.clone();
        return new PciCapabilities(copy, walkStandard(copy), walkExtended(copy));
    }

    private static List<Capability> walkStandard(byte[] c) {
        List<Capability> out = new ArrayList<>();
        if (c.length <= CAPABILITY_LIST || (u16(c, STATUS) & STATUS_CAP_LIST) == 0) {
            return out;
        }
        int at = u8(c, CAPABILITY_LIST) & ~3;
        boolean[] seen = new boolean[256];
        while (at >= 0x40 && at + 2 <= Math.min(c.length, 256) && !seen[at]) {
            seen[at] = true;
            out.add(new Capability(u8(c, at), at));
            at = u8(c, at + 1) & ~3;
        }
        return Collections.unmodifiableList(out);
    }

    private static List<Capability> walkExtended(byte[] c) {
        List<Capability> out = new ArrayList<>();
        int at = EXTENDED_START;
        boolean[] seen = new boolean[4096];
        while (at >= EXTENDED_START && at + 4 <= c.length && !seen[at]) {
            seen[at] = true;
            int header = u32(c, at);
            if (header == 0 || header == -1) {
                break;
            }
            out.add(new Capability(header & 0xffff, at));
            at = (header >>> 20) & 0xffc;
        }
        return Collections.unmodifiableList(out);
    }

    public List<Capability> standard() {
        return standard;
    }

    public List<Capability> extended() {
        return extended;
    }

    /** Where the standard capability {@code id} sits, if listed. */
    public OptionalInt find(int id) {
        return standard.stream().filter(x -> x.id() == id).mapToInt(Capability::offset).findFirst();
    }

    /** Where the extended capability {@code id} sits, if listed. */
    public OptionalInt findExtended(int id) {
        return extended.stream().filter(x -> x.id() == id).mapToInt(Capability::offset).findFirst();
    }

    public boolean isExpress() {
        return find(CAP_EXP).isPresent();
    }

    /** Address Translation Services: the device caches translations (needed for PRI). */
    public boolean ats() {
        return findExtended(EXT_ATS).isPresent();
    }

    /** Page Request Interface: the device can issue page requests, i.e. take I/O page faults. */
    public boolean pri() {
        return findExtended(EXT_PRI).isPresent();
    }

    public boolean pasid() {
        return findExtended(EXT_PASID).isPresent();
    }

    public boolean acs() {
        return findExtended(EXT_ACS).isPresent();
    }

    /** The PASID width in bits the device supports (0 without a PASID capability). */
    public int maxPasidWidth() {
        OptionalInt at = findExtended(EXT_PASID);
        return at.isPresent() && at.getAsInt() + 8 <= config.length ? (u16(config, at.getAsInt() + PASID_CAP) >> 8) & 0x1f : 0;
    }

    /** How many outstanding page requests the PRI capability allows (0 without one). */
    public long priMaxRequests() {
        OptionalInt at = findExtended(EXT_PRI);
        return at.isPresent() && at.getAsInt() + 12 <= config.length ? u32(config, at.getAsInt() + PRI_MAX_REQUESTS) & 0xffffffffL : 0;
    }

    /** e.g. "ATS PRI PASID(20)" or "-". */
    public String faultCapabilities() {
        StringBuilder sb = new StringBuilder();
        if (ats()) {
            sb.append("ATS ");
        }
        if (pri()) {
            sb.append("PRI ");
        }
        if (pasid()) {
            sb.append("PASID(").append(maxPasidWidth()).append(") ");
        }
        return sb.length() == 0 ? "-" : sb.toString().trim();
    }

    private static int u8(byte[] c, int at) {
        return c[at] & 0xff;
    }

    private static int u16(byte[] c, int at) {
        return u8(c, at) | u8(c, at + 1) << 8;
    }

    private static int u32(byte[] c, int at) {
        return u16(c, at) | u16(c, at + 2) << 16;
    }
}
