package io.jvfio.internal;

/** Constants and struct layouts of native/src/fault.c. */
public final class FaultConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("fault.c", FaultNative.constants());

    private FaultConstants() {}
}
