package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** Runs the guest as {@link FakeQemuRunner} does, then loses the guest's result of every test named forgotten(). */
public class ForgetfulGuestRunner implements GuestRunner {
    private final FakeQemuRunner guest = new FakeQemuRunner();

    @Override
    public GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log)
            throws IOException, InterruptedException {
        GuestExit exit = guest.run(spec, command, out, log);
        GuestResults all = GuestResults.read(command.results());
        new GuestResults(all.all().stream().filter(r -> !r.uniqueId().endsWith("[method:forgotten()]")).toList())
                .write(command.results());
        return exit;
    }
}
