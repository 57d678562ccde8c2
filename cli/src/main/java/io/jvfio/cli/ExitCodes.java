package io.jvfio.cli;

/** What jvfio's exit status tells a script. */
public final class ExitCodes {
    public static final int OK = 0;
    /** An operation failed (the one-line error says which, on what, and why). */
    public static final int FAILURE = 1;
    /**
     * Bad arguments or input: picocli's usage errors, and values, addresses or files a command
     * refuses ({@link BadArgumentException}).
     */
    public static final int USAGE = 2;
    /** This machine or kernel cannot do it (doctor found a blocking problem, serve has no fault path). */
    public static final int UNSUPPORTED = 3;
    /** serve stopped cleanly, but some page requests were answered INVALID. */
    public static final int FAULTS_REFUSED = 4;
    /** A bug in jvfio: an unexpected exception. */
    public static final int INTERNAL = 70;

    private ExitCodes() {}
}
