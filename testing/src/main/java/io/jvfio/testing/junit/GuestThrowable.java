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
 * expected and actual values (as strings, for an IDE's diff) and its stack; and where it hung in the
 * failure: {@code parent}, the index of the throwable it is the cause of or suppressed by (-1 for the
 * failure itself), and {@code suppressed}, which of the two.
 */
record GuestThrowable(String className, String message, boolean assertion, String expected, String actual,
        List<StackTraceElement> frames, int parent, boolean suppressed) {
    /** At most this many throwables of one failure cross, the last of them saying that more stayed in the guest. */
    static final int MAX = 64;
    /** The class name of the throwable that stands for those left out. */
    static final String LEFT_OUT = "jvfio.guest.LeftOut";

    /**
     * The throwable, its causes and what it suppressed, each before what hangs under it (a parent's
     * index is below its children's); causes first, so that a runaway of suppressed ones cannot push
     * out the root cause. A throwable met twice (a cycle) is left out the second time.
     */
    static List<GuestThrowable> chain(Throwable t) {
        List<GuestThrowable> chain = new ArrayList<>();
        int[] leftOut = {0};
        add(chain, t, -1, false, Collections.newSetFromMap(new IdentityHashMap<>()), leftOut);
        if (leftOut[0] > 0) {
            String message = "at least " + leftOut[0] + " more suppressed exceptions or causes stayed in the guest (at most "
                    + (MAX - 1) + " cross)";
            chain.add(new GuestThrowable(LEFT_OUT, message, false, null, null, List.of(), 0, true));
        }
        return chain;
    }

    private static void add(List<GuestThrowable> chain, Throwable t, int parent, boolean suppressed, Set<Throwable> seen,
            int[] leftOut) {
        if (t == null || !seen.add(t)) {
            return;
        }
        if (chain.size() == MAX - 1) {
            leftOut[0]++;
            return;
        }
        int index = chain.size();
        chain.add(of(t, parent, suppressed));
        Throwable cause;
        try {
            cause = t.getCause();
        } catch (Throwable broken) { // an override that throws: the failure still crosses, without its cause
            cause = null;
        }
        add(chain, cause, index, false, seen, leftOut);
        for (Throwable s : t.getSuppressed()) {
            add(chain, s, index, true, seen, leftOut);
        }
    }

    private static GuestThrowable of(Throwable t, int parent, boolean suppressed) {
        String expected = null, actual = null;
        if (t instanceof AssertionFailedError a && a.isExpectedDefined() && a.isActualDefined()) {
            expected = representation(a.getExpected());
            actual = representation(a.getActual());
        }
        List<StackTraceElement> frames;
        try {
            frames = List.of(t.getStackTrace());
        } catch (Throwable broken) {
            frames = List.of();
        }
        return new GuestThrowable(t.getClass().getName(), message(t), t instanceof AssertionError, expected, actual, frames,
                parent, suppressed);
    }

    /**
     * {@code t}'s message, or what says it could not be had: a test's exception whose {@code getMessage()}
     * throws (a message built from a null field) must still be recorded as the test's failure, not
     * leave the test started and never ended.
     */
    static String message(Throwable t) {
        try {
            return t.getMessage();
        } catch (Throwable broken) {
            return "(its getMessage() threw " + broken.getClass().getName() + ")";
        }
    }

    private static String representation(ValueWrapper value) {
        return value == null ? "null" : value.getStringRepresentation();
    }

    /**
     * The failure rebuilt on the host: an {@link AssertionFailedError} with the guest's message (prefixed
     * with the class for anything but an assertion) and the guest's stack, what it suppressed and its
     * causes as {@link GuestException}s, hung as they were in the guest.
     */
    static AssertionFailedError toHost(List<GuestThrowable> chain) {
        // Children come after their parent: built from the last, each has its cause and suppressed ones at hand.
        Throwable[] built = new Throwable[chain.size()];
        for (int i = chain.size() - 1; i >= 0; i--) {
            GuestThrowable c = chain.get(i);
            Throwable cause = null;
            List<Throwable> suppressed = new ArrayList<>();
            for (int j = i + 1; j < chain.size(); j++) {
                if (chain.get(j).parent == i) {
                    if (chain.get(j).suppressed) {
                        suppressed.add(built[j]);
                    } else {
                        cause = built[j];
                    }
                }
            }
            built[i] = i == 0 ? top(c, cause) : new GuestException(c.className, c.message, c.frames, cause);
            suppressed.forEach(built[i]::addSuppressed);
        }
        return (AssertionFailedError) built[0];
    }

    private static AssertionFailedError top(GuestThrowable top, Throwable cause) {
        String message = top.assertion ? top.message
                : top.message == null ? top.className : top.className + ": " + top.message;
        AssertionFailedError e = top.expected != null
                ? new AssertionFailedError(message, top.expected, top.actual, cause)
                : new AssertionFailedError(message, cause);
        e.setStackTrace(top.frames.toArray(StackTraceElement[]::new));
        return e;
    }
}
