package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvfio.VfioException;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The natives that take a Java string release its UTF-8 copy after the syscall; free() may change
 * errno (POSIX allowed it until 2024, and some allocators do), so errno must be saved first. A child
 * JVM runs with a free() that always sets EIO and reports the errno each failing call returns.
 */
class ErrnoAfterReleaseTest {
    /** Runs in the child JVM: one line per native, the errno name it returned. */
    public static final class Probe {
        public static void main(String[] args) {
            int dev = UnixNative.open("/dev/null", UnixConstants.O_RDWR);
            report("open", UnixNative.open("/nonexistent/jvfio", UnixConstants.O_RDONLY));
            report("memfd_create", UnixNative.memfdCreate("jvfio-probe", 0x7fff0000));
            report("VFIO_GROUP_GET_DEVICE_FD", VfioNative.groupGetDeviceFd(dev, "0000:00:00.0"));
            UnixNative.close(dev);
        }

        private static void report(String call, int result) {
            System.out.println(call + " " + (result < 0 ? VfioException.of(call, "", -result, null).errnoName() : "succeeded"));
        }
    }

    /** Surefire runs these tests on the module path; the probe runs all of it on the class path. */
    private static String classPath() {
        String modules = System.getProperty("jdk.module.path");
        return System.getProperty("java.class.path") + (modules == null ? "" : File.pathSeparator + modules);
    }

    @Test
    void errnoIsTheSyscallsNotFreesAfterReleasingTheString(@TempDir Path dir) throws Exception {
        Path preload = dir.resolve("libclobber.so");
        Process cc = new ProcessBuilder("cc", "-shared", "-fPIC", "-o", preload.toString(), "src/test/c/errno_clobbering_free.c")
                .inheritIO().start();
        assumeTrue(cc.waitFor() == 0, "needs a C compiler");
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xcheck:jni", "-cp", classPath(), Probe.class.getName())
                .redirectErrorStream(true);
        child.environment().put("LD_PRELOAD", preload.toString());
        Process probe = child.start();
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS), "the probe JVM ended");
        assertEquals("open ENOENT\nmemfd_create EINVAL\nVFIO_GROUP_GET_DEVICE_FD ENOTTY\n", out.replaceAll("(?m)^WARNING.*\n", ""));
    }
}
