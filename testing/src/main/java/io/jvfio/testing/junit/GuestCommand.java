package io.jvfio.testing.junit;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The JVM a guest runs: {@link GuestMain} on the host's test class path, running the test classes that share the guest. */
record GuestCommand(Path java, List<Path> classPath, List<String> testClasses, Path results, Optional<Path> selection) {
    GuestCommand {
        classPath = List.copyOf(classPath);
        testClasses = List.copyOf(testClasses);
    }

    /** Whole classes: no selection of their tests. */
    GuestCommand(Path java, List<Path> classPath, List<String> testClasses, Path results) {
        this(java, classPath, testClasses, results, Optional.empty());
    }

    /** The JDK the guest runs: the host's java.home, whose bin/ holds {@link #java}. */
    Path javaHome() {
        return java.getParent().getParent();
    }

    /** The command line; the JVM's crash file and whatever the tests log go beside the results, which outlive the guest. */
    List<String> argv(List<String> jvmArgs) {
        List<String> argv = new ArrayList<>(List.of(java.toString(), "-D" + GuestMain.INSIDE_PROPERTY + "=true",
                "-D" + GuestMain.OUT_PROPERTY + "=" + results.getParent(),
                "-XX:ErrorFile=" + results.resolveSibling("hs_err_pid%p.log")));
        argv.addAll(jvmArgs);
        argv.addAll(List.of("-cp", classPath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
                GuestMain.class.getName(), results.toString()));
        selection.ifPresent(file -> argv.addAll(List.of(GuestMain.SELECTION_OPTION, file.toString())));
        argv.addAll(testClasses);
        return argv;
    }

    /** e.g. "a.BTest" or "3 classes (a.BTest, a.CTest, a.DTest)", for the log. */
    String describeClasses() {
        return testClasses.size() == 1 ? testClasses.get(0)
                : testClasses.size() + " classes (" + String.join(", ", testClasses) + ")";
    }
}
