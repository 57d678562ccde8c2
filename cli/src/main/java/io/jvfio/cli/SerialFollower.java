package io.jvfio.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Follows a guest's serial log as QEMU writes it and prints what the guest command printed: the
 * lines between the init's READY and EXIT markers, without the kernel's own messages.
 */
final class SerialFollower {
    private static final Pattern KERNEL_LOG = Pattern.compile("^\\[\\s*\\d+\\.\\d+\\].*");

    private final Path log;
    private final PrintWriter out;
    private final StringBuilder partial = new StringBuilder();
    private long offset;
    private boolean inside;

    SerialFollower(Path log, PrintWriter out) {
        this.log = log;
        this.out = out;
    }

    /** Prints the complete lines written since the last call. */
    synchronized void poll() {
        if (!Files.exists(log)) {
            return;
        }
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length <= offset) {
                return;
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 1 << 20)];
            f.seek(offset);
            f.readFully(bytes);
            offset += bytes.length;
            partial.append(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + log, e);
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            String line = partial.substring(0, nl).replace("\r", "");
            partial.delete(0, nl + 1);
            if (line.contains("JVFIO-GUEST-READY")) {
                inside = true;
            } else if (line.contains("JVFIO-GUEST-EXIT")) {
                inside = false;
            } else if (inside && !KERNEL_LOG.matcher(line).matches()) {
                out.println(line);
            }
        }
        out.flush();
    }
}
