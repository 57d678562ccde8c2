package io.jvfio.bench.bindings;

import io.jvfio.testing.TestingLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** The testing library's .so as a file, for the bindings that open it by path (JNA, jnr-ffi, FFM) to call jvfio_noop. */
public final class ShimFile {
    private static Path path;

    private ShimFile() {}

    public static synchronized Path path() {
        if (path == null) {
            String resource = "META-INF/native/lib" + TestingLibrary.libraryName() + ".so";
            try (InputStream in = ShimFile.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("no " + resource + " on the class path");
                }
                Path file = Files.createTempFile("libjvfio-bench-", ".so");
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                file.toFile().deleteOnExit();
                path = file;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return path;
    }
}
