package io.jvfio.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Kernel constants and struct layouts as the shim was compiled with them ({@code name=value} lines
 * from a natives class's {@code constants()}). Java never guesses a layout: a missing name means
 * the library and the jar do not match, and that fails loudly at class initialization.
 */
public final class NativeConstants {
    private final String source;
    private final Map<String, Long> values;

    private NativeConstants(String source, Map<String, Long> values) {
        this.source = source;
        this.values = values;
    }

    public static NativeConstants parse(String source, String table) {
        Map<String, Long> values = new HashMap<>();
        for (String line : table.split("\n")) {
            int eq = line.lastIndexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
            }
        }
        return new NativeConstants(source, values);
    }

    public long get(String name) {
        Long v = values.get(name);
        if (v == null) {
            throw new IllegalStateException("libjvfio has no constant '" + name + "' in " + source
                    + ": the native library does not match this jar");
        }
        return v;
    }

    public int getInt(String name) {
        return Math.toIntExact(get(name));
    }

    /** {@code sizeof(struct type)}. */
    public int sizeOf(String type) {
        return getInt("sizeof " + type);
    }

    /** {@code offsetof(struct type, field)}. */
    public int offsetOf(String type, String field) {
        return getInt(type + "." + field);
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Map<String, Long> asMap() {
        return Map.copyOf(values);
    }
}
