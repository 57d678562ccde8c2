package io.jvfio.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

@Command(name = "jvfio", mixinStandardHelpOptions = true, version = "jvfio 0.1.0",
        description = "Inspect and bind PCI devices for VFIO, check what this machine can do, serve I/O page"
                + " faults from an iommufd fault queue, and run the QEMU demo.",
        subcommands = {ListCommand.class, InfoCommand.class, BindCommand.class, UnbindCommand.class,
                DoctorCommand.class, ServeCommand.class, DemoCommand.class, GuestDemoCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:an operation failed (the message names it)", "2:bad arguments or input (the message names it)",
                "3:this machine or kernel cannot do it", "4:serve: some page requests were answered INVALID",
                "70:internal error in jvfio"})
public final class JvfioCommand implements Runnable {
    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log the library's lifecycle events and print stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command; see jvfio --help");
    }
}
