package io.jvfio;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux kernel's version, read from the front of its release string: {@code 7.2.12-1~bpo13+1} is
 * 7.2.12, {@code 6.15-rc3} is 6.15.0. What a kernel lacks is named with it (see {@link KernelFeature}).
 */
public record KernelVersion(int major, int minor, int patch) implements Comparable<KernelVersion> {
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*", Pattern.DOTALL);
    private static final Path OSRELEASE = Path.of("/proc/sys/kernel/osrelease");

    private static volatile KernelVersion running;

    public KernelVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("a kernel version has no negative parts: " + major + "." + minor + "." + patch);
        }
    }

    /** Parses a release string such as {@code uname -r} prints; throws when it does not start with MAJOR.MINOR. */
    public static KernelVersion parse(String release) {
        Matcher m = RELEASE.matcher(release.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a kernel release: '" + release + "' (expected MAJOR.MINOR[.PATCH]...)");
        }
        try {
            return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a kernel release: '" + release + "' (a part is above "
                    + Integer.MAX_VALUE + ")", e);
        }
    }

    /**
     * The running kernel's version, from {@code /proc/sys/kernel/osrelease}; read once. Throws
     * {@link UncheckedIOException} when that file cannot be read (no /proc).
     */
    public static KernelVersion running() {
        KernelVersion v = running;
        if (v == null) {
            try {
                v = parse(Files.readString(OSRELEASE, StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the kernel's release from " + OSRELEASE, e);
            }
            running = v;
        }
        return v;
    }

    /** Whether this is {@code major.minor} or later (any patch level). */
    public boolean atLeast(int major, int minor) {
        return this.major > major || this.major == major && this.minor >= minor;
    }

    @Override
    public int compareTo(KernelVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        return c != 0 ? c : Integer.compare(patch, o.patch);
    }

    /** e.g. {@code 6.12.118}. */
    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
