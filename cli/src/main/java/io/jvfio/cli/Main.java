package io.jvfio.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/** The jvfio command's entry point. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit status (see {@link ExitCodes}). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        boolean verbose = Arrays.stream(args).anyMatch(a -> a.equals("-v") || a.equals("--verbose"));
        // Before any logger exists: the library logs lifecycle events, which a terminal wants only on request.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        CommandLine cl = new CommandLine(new JvfioCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new OneLineErrors(verbose));
        int status;
        try {
            status = cl.execute(args);
        } catch (LinkageError e) { // picocli hands only Exceptions to OneLineErrors
            err.println("jvfio: could not load what it needs: " + e + " (for the native shim, jvfio doctor says why;"
                    + " a temporary directory mounted noexec needs -Djvfio.native.workdir=DIR, a directory that allows exec)");
            if (verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return ExitCodes.UNSUPPORTED;
        }
        // PrintWriter keeps write errors to itself: a full disk or a closed stdout would otherwise exit 0.
        if (out.checkError() && status == ExitCodes.OK) {
            err.println("jvfio: could not write to standard output (closed, full, or a pipe whose reader left)");
            err.flush();
            return ExitCodes.FAILURE;
        }
        return status;
    }
}
