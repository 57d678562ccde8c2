package io.jvfio.testing.junit;

import java.util.List;

/**
 * The cause of a guest failure, rebuilt on the host from its class name, message and stack: printed,
 * it reads as the guest's own throwable did ({@code Caused by: io.jvfio.VfioException: ...}).
 */
final class GuestException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String guestClass;

    GuestException(String guestClass, String message, List<StackTraceElement> frames, Throwable cause) {
        super(message, cause);
        this.guestClass = guestClass;
        setStackTrace(frames.toArray(StackTraceElement[]::new));
    }

    @Override
    public String toString() {
        String message = getLocalizedMessage();
        return message == null ? guestClass : guestClass + ": " + message;
    }
}
