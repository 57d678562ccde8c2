package io.jvfio.it;

import io.jvfio.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the jvfio command in this JVM, as a user would run it in the guest. */
public final class GuestCli {
    /** What one command line printed and returned. */
    public record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private GuestCli() {}

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }
}
