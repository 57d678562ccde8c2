package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The host directories the guest must be given with guest-exec.sh's {@code --share}: the guest
 * sees the host's root at the same paths, but mounts tmpfs of its own on /tmp, /run and /dev/shm,
 * which hide what the host keeps there. A class path entry under one of them is shared through
 * its top directory there ({@code /tmp/ci} for {@code /tmp/ci/app/target/classes}), so that one
 * share serves a whole project; an entry that a symbolic link leads there, where it leads too.
 */
final class GuestShares {
    /** Mount points of the guest's own tmpfs (scripts/guest/init); each ends with a slash. */
    static final List<String> HIDDEN_IN_GUEST = List.of("/tmp/", "/run/", "/dev/shm/");
    /** guest-exec.sh gives each share a PCI slot of its own, and has eight. */
    static final int MAX = 8;

    private GuestShares() {}

    /**
     * The directories to share for {@code classPath}, the JDK {@code javaHome} the guest runs (the
     * host's), the working directory {@code workDir} and the jvfio checkout {@code home} whose harness
     * boots the guest (which shares itself), sorted; empty when nothing is hidden. An entry reached
     * through a symbolic link is shared where the link leads. Refuses a class path entry or JDK that no
     * share can show (a jar directly in /tmp), a path the kernel command line cannot carry, and more
     * than {@link #MAX} directories; a working directory that cannot be shared is left out (the guest
     * then starts in /).
     */
    static List<Path> of(List<Path> classPath, Path javaHome, Path workDir, Path home) {
        TreeSet<Path> shares = new TreeSet<>();
        for (Path entry : classPath) {
            addRequired(shares, entry, "which is on the test class path");
        }
        addRequired(shares, javaHome, "the JDK the guest runs (the host's java.home)");
        for (Path dir : List.of(workDir, home)) {
            for (Path share : sharesOf(dir)) {
                if (isDirectoryInside(share) && carried(share)) {
                    shares.add(share);
                }
            }
        }
        if (shares.size() > MAX) {
            throw new IllegalStateException("the test class path, the JDK and the working directory need " + shares.size()
                    + " directories under the guest's own /tmp, /run or /dev/shm shared (" + shares + "), and a guest takes"
                    + " at most " + MAX + ": build them under fewer directories");
        }
        return List.copyOf(shares);
    }

    /** Adds the shares that show {@code path}, {@code what} the guest must see; refuses it when none can. */
    private static void addRequired(TreeSet<Path> shares, Path path, String what) {
        for (Path share : sharesOf(path)) {
            if (!isDirectoryInside(share)) {
                throw new IllegalStateException("the guest cannot see " + path + ", " + what + ": the guest has its own "
                        + hiddenRoot(share) + ", and only a directory in it can be shared: put it in a directory, under "
                        + hiddenRoot(share) + " or elsewhere");
            }
            if (!carried(share)) {
                throw new IllegalStateException("the guest cannot see " + path + ", " + what + ": it is under the guest's"
                        + " own " + hiddenRoot(share) + ", and " + share + " cannot be shared, as its name holds a blank, a"
                        + " comma or a colon (it goes on the kernel command line); rename it");
            }
            shares.add(share);
        }
    }

    /**
     * The directories that show {@code path} to the guest: the top directory under the hidden mount
     * point it is in (the mount point itself for the mount point), and the one where it leads when a
     * symbolic link on its way leads under a hidden mount point (the link, seen through the root or a
     * share, then leads into that share). None when the guest sees it through its root, or when it is
     * not there at all (java skips such an entry too).
     */
    private static List<Path> sharesOf(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            return List.of();
        }
        Path lexical = topUnderHidden(p);
        Path real;
        try {
            real = topUnderHidden(p.toRealPath());
        } catch (IOException e) {
            return List.of(); // gone since
        }
        List<Path> shares = new ArrayList<>();
        if (lexical != null) {
            shares.add(lexical);
        }
        if (real != null && !real.equals(lexical)) {
            shares.add(real);
        }
        return shares;
    }

    private static Path topUnderHidden(Path p) {
        String hidden = hiddenRoot(p);
        if (hidden == null) {
            return null;
        }
        Path root = Path.of(hidden);
        return p.equals(root) ? root : root.resolve(p.getName(root.getNameCount()));
    }

    /** The guest's tmpfs mount point that hides {@code p} ("/tmp/"), or null. */
    private static String hiddenRoot(Path p) {
        String s = p + "/";
        return HIDDEN_IN_GUEST.stream().filter(s::startsWith).findFirst().orElse(null);
    }

    /** Whether {@code share} is a directory in a hidden mount point, not a file there or the mount point itself. */
    private static boolean isDirectoryInside(Path share) {
        return Files.isDirectory(share) && !HIDDEN_IN_GUEST.contains(share + "/");
    }

    /** Whether guest-exec.sh can pass {@code dir} on the kernel command line and in QEMU's options. */
    private static boolean carried(Path dir) {
        return dir.toString().chars().noneMatch(c -> Character.isWhitespace(c) || c == ',' || c == ':');
    }
}
