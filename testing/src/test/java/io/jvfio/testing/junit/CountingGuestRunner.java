package io.jvfio.testing.junit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Runs the guest as {@link FakeQemuRunner} does and remembers the classes of each run. */
public class CountingGuestRunner implements GuestRunner {
    static final List<List<String>> RUNS = new CopyOnWriteArrayList<>();
    private final FakeQemuRunner guest = new FakeQemuRunner();

    @Override
    public GuestExit run(GuestSpec spec, GuestCommand command, Path out, Consumer<String> log)
            throws IOException, InterruptedException {
        RUNS.add(command.testClasses());
        return guest.run(spec, command, out, log);
    }
}
