package io.jvfio.fault;

import io.jvfio.pci.PciCapabilities;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which fault mode a device gets, by vendor:device. Opt-in, as the 2021 VFIO IOPF discussion asked:
 * a device that is not listed cannot take faults ({@link DeviceFaultMode#NONE}). The built-in table
 * ships as a resource; a user file in the same format overrides it entry by entry:
 * <pre>
 * # vendor:device = ARBITRARY_FAULTS | SELECTIVE | NONE
 * 1234:11e8 = NONE
 * </pre>
 */
public final class DevicePolicyTable {
    private static final String RESOURCE = "/io/jvfio/fault/device-policies.conf";

    /** A verdict and where it came from. */
    public record Verdict(DeviceFaultMode mode, String source) {}

    /** The mode a device gets and why, in words a user can check. */
    public record Decision(DeviceFaultMode mode, String reason) {}

    private final Map<String, Verdict> entries;

    private DevicePolicyTable(Map<String, Verdict> entries) {
        this.entries = entries;
    }

    /** The built-in table. */
    public static DevicePolicyTable builtIn() {
        Map<String, Verdict> m = new TreeMap<>();
        try (InputStream in = DevicePolicyTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks " + RESOURCE);
            }
            parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in table", m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (IllegalArgumentException e) {
            // The jar's own table, not the caller's input: a caller must not take it for bad input.
            throw new IllegalStateException("the built-in device policy table is broken: " + e.getMessage(), e);
        }
        return new DevicePolicyTable(m);
    }

    /** The built-in table with the entries of {@code userFile} on top. */
    public static DevicePolicyTable withOverrides(Path userFile) throws IOException {
        Map<String, Verdict> m = new TreeMap<>(builtIn().entries);
        try (Reader r = Files.newBufferedReader(userFile, StandardCharsets.UTF_8)) {
            parse(r, userFile.toString(), m);
        } catch (IOException e) {
            // NoSuchFileException's message is the bare path, a directory's "Is a directory", bad UTF-8's "Input length = 1".
            String why = e instanceof NoSuchFileException ? "no such file"
                    : e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof CharacterCodingException ? "it is not UTF-8 text"
                    : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new IOException("cannot read the device policy file " + userFile + ": " + why, e);
        }
        return new DevicePolicyTable(m);
    }

    /** Parses the table format; errors name the source and line. */
    static void parse(Reader reader, String source, Map<String, Verdict> into) throws IOException {
        BufferedReader in = new BufferedReader(reader);
        Map<String, Integer> listedOn = new HashMap<>();
        String line;
        int number = 0;
        while ((line = in.readLine()) != null) {
            number++;
            if (number == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // the byte-order mark some editors write: invisible in a message
            }
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
            if (text.isEmpty()) {
                continue;
            }
            int eq = text.indexOf('=');
            String where = source + ":" + number;
            if (eq < 0) {
                throw new IllegalArgumentException(where + ": expected 'vendor:device = MODE', got '" + text + "'");
            }
            String key = text.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            if (!key.matches("[0-9a-f]{4}:[0-9a-f]{4}")) {
                throw new IllegalArgumentException(where + ": '" + key + "' is not vendor:device in hex, e.g. 1234:11e8");
            }
            // In an opt-in table a later line silently winning over an earlier one could opt a device in unseen.
            Integer earlier = listedOn.putIfAbsent(key, number);
            if (earlier != null) {
                throw new IllegalArgumentException(where + ": " + key + " is already listed on line " + earlier
                        + "; list each device once");
            }
            String mode = text.substring(eq + 1).trim().toUpperCase(Locale.ROOT);
            try {
                into.put(key, new Verdict(DeviceFaultMode.valueOf(mode), source));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": unknown mode '" + mode
                        + "' (ARBITRARY_FAULTS, SELECTIVE or NONE)", e);
            }
        }
    }

    /** The verdict for a device; unlisted devices get NONE from "default". */
    public Verdict verdict(int vendor, int device) {
        Verdict v = entries.get(String.format("%04x:%04x", vendor, device));
        return v != null ? v : new Verdict(DeviceFaultMode.NONE, "default (not listed)");
    }

    /**
     * The mode a device gets: the table's verdict, held against what the device says of itself. A
     * device without PRI in its config space cannot issue page requests, so it is pinned whatever the
     * table says; so is a SELECTIVE device without a mediator, since nothing names the DMA that must
     * not fault.
     */
    public Decision decide(int vendor, int device, PciCapabilities capabilities, boolean mediated) {
        return decide(vendor, device, capabilities, mediated, true);
    }

    /**
     * As {@link #decide(int, int, PciCapabilities, boolean)}, but with {@code checkPri} false a device
     * whose config space shows no PRI keeps the table's mode: for labs that want to see what the
     * kernel and the device do when such a device is attached to a faulting page table.
     */
    public Decision decide(int vendor, int device, PciCapabilities capabilities, boolean mediated, boolean checkPri) {
        Verdict v = verdict(vendor, device);
        String said = String.format("%04x:%04x is %s (%s)", vendor, device, v.mode(), v.source());
        if (v.mode() == DeviceFaultMode.NONE) {
            return new Decision(DeviceFaultMode.NONE, said + ": it cannot take faults");
        }
        if (!capabilities.pri() && checkPri) {
            return new Decision(DeviceFaultMode.NONE, said + ", but it has no PRI capability in its config space:"
                    + " it cannot issue page requests, so it will not be demand-faulted");
        }
        if (v.mode() == DeviceFaultMode.SELECTIVE && !mediated) {
            return new Decision(DeviceFaultMode.NONE, said + ", but no mediator names the ranges it must never fault on");
        }
        if (!capabilities.pri()) {
            return new Decision(v.mode(), said + " and has no PRI capability in its config space, but the PRI check is"
                    + " off: it is attached to a faulting page table anyway");
        }
        return new Decision(v.mode(), said + " and has PRI" + (v.mode() == DeviceFaultMode.SELECTIVE
                ? ": it faults outside the ranges its mediator pins" : ": it faults anywhere in its memory"));
    }

    public DeviceFaultMode mode(int vendor, int device) {
        return verdict(vendor, device).mode();
    }

    public Map<String, Verdict> entries() {
        return Map.copyOf(entries);
    }
}
