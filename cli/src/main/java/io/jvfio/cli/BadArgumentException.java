package io.jvfio.cli;

import java.io.IOException;

/**
 * Bad input on the command line (an option's value, a device address, a policy file): its one-line
 * error exits 2. Only the CLI throws it, where it reads what the user typed; an
 * IllegalArgumentException from deeper down (a kernel reply the library refuses) still exits 1.
 */
final class BadArgumentException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    BadArgumentException(String message) {
        super(message);
    }

    BadArgumentException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What reads {@code option}'s value; it may refuse it. It reads input, never the kernel: a
     * VfioException is an IOException, and would pass for bad input.
     */
    interface Reader<T> {
        T read() throws IOException;
    }

    /** {@code reader}'s result; its refusal (IllegalArgumentException, IOException) becomes one naming {@code option}. */
    static <T> T reading(String option, Reader<T> reader) {
        try {
            return reader.read();
        } catch (BadArgumentException e) {
            throw e;
        } catch (IllegalArgumentException | IOException e) {
            throw new BadArgumentException(option + ": " + e.getMessage(), e);
        }
    }
}
