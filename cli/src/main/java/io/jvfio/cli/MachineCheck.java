package io.jvfio.cli;

/** One line of `jvfio doctor`: what was checked, what was found, and how to fix it. */
record MachineCheck(Status status, String name, String found, String fix) {
    enum Status { OK, WARN, FAIL }

    static MachineCheck ok(String name, String found) {
        return new MachineCheck(Status.OK, name, found, "");
    }

    static MachineCheck warn(String name, String found, String fix) {
        return new MachineCheck(Status.WARN, name, found, fix);
    }

    static MachineCheck fail(String name, String found, String fix) {
        return new MachineCheck(Status.FAIL, name, found, fix);
    }

    static MachineCheck of(boolean ok, String name, String found, String fix) {
        return ok ? ok(name, found) : fail(name, found, fix);
    }

    /** A failure that another way round makes harmless (one of two VFIO paths missing), as a warning. */
    MachineCheck failAsWarning() {
        return status == Status.FAIL ? warn(name, found + " (the other VFIO path is there)", fix) : this;
    }
}
