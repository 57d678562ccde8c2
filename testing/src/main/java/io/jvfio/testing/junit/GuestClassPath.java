package io.jvfio.testing.junit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The host test JVM's class path, for the guest's JVM to run the same classes: the class path and the
 * module path (the guest runs everything on the class path), the patches of a module under test
 * (Maven Surefire puts a modular project's test classes there), every jar a manifest-only jar names
 * (Surefire's booter jar, an IDE's class path jar), and the jars the named classes came from.
 */
final class GuestClassPath {
    private GuestClassPath() {}

    static List<Path> of(Class<?>... anchors) {
        Set<Path> entries = new LinkedHashSet<>();
        addAll(entries, System.getProperty("java.class.path"));
        addAll(entries, System.getProperty("jdk.module.path"));
        for (int i = 0; System.getProperty("jdk.module.patch." + i) != null; i++) {
            String patch = System.getProperty("jdk.module.patch." + i); // MODULE=PATH[:PATH...]
            addAll(entries, patch.substring(patch.indexOf('=') + 1));
        }
        for (Class<?> anchor : anchors) {
            codeSource(anchor).ifPresent(p -> add(entries, p));
        }
        return List.copyOf(entries);
    }

    private static void addAll(Set<Path> entries, String path) {
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    add(entries, Path.of(entry));
                }
            }
        }
    }

    private static void add(Set<Path> entries, Path entry) {
        Path p = entry.toAbsolutePath().normalize();
        if (Files.exists(p) && entries.add(p) && Files.isRegularFile(p)) {
            for (Path listed : manifestClassPath(p)) {
                add(entries, listed);
            }
        }
    }

    /** The entries of a jar's Class-Path attribute: URLs relative to the jar's directory. */
    private static List<Path> manifestClassPath(Path jar) {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            String classPath = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (classPath == null) {
                return List.of();
            }
            URI base = jar.getParent().toUri();
            return Arrays.stream(classPath.trim().split("\\s+"))
                    .map(url -> Path.of(base.resolve(url))).toList();
        } catch (IOException | IllegalArgumentException e) {
            return List.of(); // not a jar (a stray file on the path): nothing it could name
        }
    }

    private static Optional<Path> codeSource(Class<?> c) {
        try {
            return Optional.of(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return Optional.empty();
        }
    }
}
