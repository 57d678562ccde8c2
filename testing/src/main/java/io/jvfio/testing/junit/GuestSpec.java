package io.jvfio.testing.junit;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The guest a {@link VfioGuest} class asks for, as the runners take it. */
record GuestSpec(Set<GuestDevice> devices, GuestIommu iommu, String kernelLane, String memory,
        List<String> kernelArgs, int timeoutSeconds, int bootTimeoutSeconds, List<String> jvmArgs) {
    /** The lane scripts/lib.sh boots when JVFIO_KERNEL is not set. */
    static final String DEFAULT_LANE = "6.12";

    /** The kernel lanes scripts/lib.sh builds and boots. */
    static final List<String> LANES = List.of("6.12", "7.2");

    /**
     * Refuses attribute values no guest can take, naming the class and the attribute, before anything
     * boots: a negative timeout would reach timeout(1) as an option, 0 would turn the time limit off.
     */
    static void check(VfioGuest guest, Class<?> testClass) {
        String where = "@VfioGuest of " + testClass.getName() + ": ";
        if (!guest.kernel().isEmpty() && !LANES.contains(guest.kernel())) {
            throw new IllegalArgumentException(where + "kernel \"" + guest.kernel() + "\" is not a lane; " + LANES
                    + ", or empty for JVFIO_KERNEL");
        }
        if (!isQemuMemory(guest.memory())) {
            throw new IllegalArgumentException(where + "memory \"" + guest.memory() + "\" is not a size QEMU's -m takes:"
                    + " a number (MiB) with at most one of the suffixes B, K, M, G, T, P, E, e.g. 2G, 1.5G or 4096, or"
                    + " size=4G,slots=2,maxmem=8G");
        }
        if (guest.timeoutSeconds() < 1 || guest.bootTimeoutSeconds() < 1) {
            throw new IllegalArgumentException(where + "timeoutSeconds (" + guest.timeoutSeconds() + ") and bootTimeoutSeconds ("
                    + guest.bootTimeoutSeconds() + ") are at least 1");
        }
    }

    /**
     * -m's size as QEMU parses it (qemu_strtosz, in bytes, then "M" appended to a bare number): a
     * decimal number with one suffix at most, a fraction only with a suffix other than B; no hex (it
     * would get the "M", and hex takes no suffix).
     */
    private static final String QEMU_SIZE = "([0-9]+[bBkKmMgGtTpPeE]?|[0-9]+\\.[0-9]+[kKmMgGtTpPeE])";

    /**
     * Whether QEMU's {@code -m} takes {@code memory}: a size, or size=, slots= and maxmem= options. A
     * value it refuses ("4GB", "512MiB") would otherwise be found only after the boot's kernel build.
     */
    static boolean isQemuMemory(String memory) {
        String[] options = memory.split(",", -1);
        for (int i = 0; i < options.length; i++) {
            String o = options[i];
            boolean ok = (i == 0 && o.matches(QEMU_SIZE)) || o.matches("size=" + QEMU_SIZE)
                    || o.matches("maxmem=(" + QEMU_SIZE + "|0[xX][0-9a-fA-F]+)")
                    || o.matches("slots=(0|[1-9][0-9]*|0[xX][0-9a-fA-F]+)"); // base 0: a leading 0 is octal
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The annotation's guest; an empty kernel takes the environment's JVFIO_KERNEL, else the default lane. */
    static GuestSpec of(VfioGuest guest, Map<String, String> environment) {
        String lane = guest.kernel();
        if (lane.isEmpty()) {
            lane = environment.getOrDefault("JVFIO_KERNEL", "");
        }
        EnumSet<GuestDevice> devices = EnumSet.noneOf(GuestDevice.class);
        devices.addAll(List.of(guest.devices()));
        return new GuestSpec(Collections.unmodifiableSet(devices), guest.iommu(), lane.isEmpty() ? DEFAULT_LANE : lane,
                guest.memory(), List.of(guest.kernelArgs()), guest.timeoutSeconds(),
                Math.min(guest.bootTimeoutSeconds(), guest.timeoutSeconds()), List.of(guest.jvmArgs()));
    }

    /**
     * The time limit of the run of {@code command}'s classes, which share this guest: each class's
     * timeoutSeconds, added up, so that no class is cut short because others share its guest.
     */
    long runTimeoutSeconds(GuestCommand command) {
        return (long) timeoutSeconds * Math.max(1, command.testClasses().size());
    }

    @Override
    public String toString() {
        return iommu + " IOMMU, Linux " + kernelLane + ", " + memory + ", devices " + devices
                + (kernelArgs.isEmpty() ? "" : ", kernel arguments " + String.join(" ", kernelArgs))
                + (jvmArgs.isEmpty() ? "" : ", JVM options " + String.join(" ", jvmArgs));
    }
}
