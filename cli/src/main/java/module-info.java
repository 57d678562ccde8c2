/**
 * The jvfio command. A module so that javac holds it to the library's exports: io.jvfio.internal
 * is not readable here, whether imported or named in full. The shaded jvfio.jar runs on the class
 * path and leaves this descriptor out.
 */
module io.jvfio.cli {
    requires io.jvfio;
    requires io.jvfio.testing;
    requires info.picocli;
    requires jdk.unsupported;

    // picocli builds the commands and fills their options by reflection.
    opens io.jvfio.cli to info.picocli;
}
