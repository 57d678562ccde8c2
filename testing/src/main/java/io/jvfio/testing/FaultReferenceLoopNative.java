package io.jvfio.testing;

/** Natives of native/testing/fault_reference_loop.c; {@link FaultReferenceLoop} is their public face. Natives only. */
final class FaultReferenceLoopNative {
    private FaultReferenceLoopNative() {}

    static native long serve(int faultFd, int stopFd, int batch, long maxGroups, long samples, int maxSamples);
}
