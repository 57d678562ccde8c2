package io.jvfio.cli;

import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import java.io.IOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into one line that names the command and says what went wrong; the stack trace
 * only with --verbose. Bad input ({@link BadArgumentException}: a value, an address, a policy file
 * refused) exits 2, as picocli's own usage errors do; other expected failures (the kernel said no)
 * exit 1 or 3; anything else is a bug in jvfio and says so.
 */
final class OneLineErrors implements IExecutionExceptionHandler {
    private final boolean verbose;

    OneLineErrors(boolean verbose) {
        this.verbose = verbose;
    }

    @Override
    public int handleExecutionException(Exception e, CommandLine cl, ParseResult parsed) {
        String command = "jvfio " + cl.getCommandName().replace("jvfio", "").trim();
        boolean expected = e instanceof VfioException || e instanceof IOException || e instanceof IllegalArgumentException
                || e instanceof IllegalStateException || e instanceof UnsupportedOperationException;
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (expected) {
            cl.getErr().println(command.trim() + ": " + message);
        } else {
            cl.getErr().println(command.trim() + ": internal error: " + e + (verbose ? "" : " (rerun with --verbose for the stack trace)"));
        }
        if (verbose) {
            e.printStackTrace(cl.getErr());
        }
        cl.getErr().flush();
        if (!expected) {
            return ExitCodes.INTERNAL;
        }
        if (e instanceof BadArgumentException) {
            return ExitCodes.USAGE;
        }
        return e instanceof VfioUnsupportedException || e instanceof UnsupportedOperationException
                ? ExitCodes.UNSUPPORTED : ExitCodes.FAILURE;
    }
}
