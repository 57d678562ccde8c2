package io.jvfio.testing.junit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.ValueWrapper;

/**
 * A throwable the guest saw, as data that crosses to the host: its class, message, an assertion's
 * expected and actual values (as strings, for an IDE's diff) and its stack.
 */
record GuestThrowable(String className, String message, boolean assertion, String expected, String actual,
        List<StackTraceElement> frames) {
    GuestThrowable {
        frames = List.copyOf(frames);
    }

    /** The throwable and its causes, outermost first (a cause cycle ends the chain). */
    static List<GuestThrowable> chain(Throwable t) {
        List<GuestThrowable> chain = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
            chain.add(of(c));
        }
        return chain;
    }

    private static GuestThrowable of(Throwable t) {
        String expected = null, actual = null;
        if (t instanceof AssertionFailedError a && a.isExpectedDefined() && a.isActualDefined()) {
            expected = representation(a.getExpected());
            actual = representation(a.getActual());
        }
        return new GuestThrowable(t.getClass().getName(), t.getMessage(), t instanceof AssertionError, expected, actual,
                List.of(t.getStackTrace()));
    }

    private static String representation(ValueWrapper value) {
        return value == null ? "null" : value.getStringRepresentation();
    }

    /**
     * The chain rebuilt on the host: an {@link AssertionFailedError} with the guest's message (prefixed
     * with the class for anything but an assertion) and the guest's stack, its causes as {@link GuestException}s.
     */
    static AssertionFailedError toHost(List<GuestThrowable> chain) {
        Throwable cause = null;
        for (int i = chain.size() - 1; i > 0; i--) {
            GuestThrowable c = chain.get(i);
            cause = new GuestException(c.className, c.message, c.frames, cause);
        }
        GuestThrowable top = chain.get(0);
        String message = top.assertion ? top.message
                : top.message == null ? top.className : top.className + ": " + top.message;
        AssertionFailedError e = top.expected != null
                ? new AssertionFailedError(message, top.expected, top.actual, cause)
                : new AssertionFailedError(message, cause);
        e.setStackTrace(top.frames.toArray(StackTraceElement[]::new));
        return e;
    }
}
