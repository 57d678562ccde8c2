package io.jvfio.testing;

/** Natives of native/testing/fault_reference_loop.c; {@link FaultReferenceLoop} is their public face. Natives only. */
final class FaultReferenceLoopNative {
    private FaultReferenceLoopNative() {}

    static native long serve(int faultFd, int stopFd, int batch, long maxGroups, long samples, int maxSamples);

    /** {@link #serve} mapping each fault's page into the IOAS first; pages mapped at outMapped. */
    static native long serveDemandMap(int faultFd, int stopFd, int batch, long maxGroups, long samples, int maxSamples,
                                      int iommufd, int ioas, long iova, long va, long length, long outMapped);
}
