package io.jvfio.it;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's version, for tests whose expected outcome depends on it. */
public record KernelVersion(int major, int minor) {
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+).*");

    public static KernelVersion running() {
        String release = System.getProperty("os.version");
        Matcher m = RELEASE.matcher(release);
        if (!m.matches()) {
            throw new IllegalStateException("cannot read a kernel version from os.version '" + release + "'");
        }
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    public boolean atLeast(int wantMajor, int wantMinor) {
        return major > wantMajor || major == wantMajor && minor >= wantMinor;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
