package io.jvfio.internal;

import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs a throwable that came from a user's code (a fault policy, an unmap listener) on a path that
 * must go on: such a throwable can fail to print itself (a {@code getMessage()} reading a null
 * field), and that second failure must not end the fault loop or stop an unmap.
 */
public final class FailureLog {
    private FailureLog() {}

    /**
     * Logs {@code format} with {@code args} and {@code failure}'s stack trace at {@code level}; when
     * printing {@code failure} throws, logs its class name instead.
     */
    public static void log(Logger log, Level level, Throwable failure, String format, Object... args) {
        try {
            log.atLevel(level).setCause(failure).log(format, args);
        } catch (Throwable unprintable) {
            try {
                Object[] printed = new Object[args.length];
                for (int i = 0; i < args.length; i++) {
                    printed[i] = printable(args[i]);
                }
                log.atLevel(level).log(format + " [a " + failure.getClass().getName() + " that cannot be printed: "
                        + unprintable.getClass().getName() + "]", printed);
            } catch (Throwable unlogged) {
                // Logging itself fails (out of memory, a broken appender): the caller goes on all the same.
            }
        }
    }

    /** {@code arg} as text, or its class name when its toString() throws (a user's listener may be what cannot be printed). */
    private static String printable(Object arg) {
        try {
            return String.valueOf(arg);
        } catch (Throwable unprintable) {
            return arg.getClass().getName();
        }
    }
}
