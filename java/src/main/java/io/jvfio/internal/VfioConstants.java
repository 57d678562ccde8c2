package io.jvfio.internal;

/** Constants and struct layouts of native/src/vfio.c. */
public final class VfioConstants {
    static {
        NativeLibrary.ensureAvailability();
    }

    public static final NativeConstants C = NativeConstants.parse("vfio.c", VfioNative.constants());

    private VfioConstants() {}
}
