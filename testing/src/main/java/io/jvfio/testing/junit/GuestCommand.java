package io.jvfio.testing.junit;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** The JVM a guest runs: {@link GuestMain} on the host's test class path, running one test class. */
record GuestCommand(Path java, List<Path> classPath, String testClass, Path results) {
    /** The command line; the JVM's crash file goes beside the results, which outlive the guest. */
    List<String> argv() {
        return List.of(java.toString(), "-D" + GuestMain.INSIDE_PROPERTY + "=true",
                "-XX:ErrorFile=" + results.resolveSibling("hs_err_pid%p.log"),
                "-cp", classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                GuestMain.class.getName(), results.toString(), testClass);
    }
}
