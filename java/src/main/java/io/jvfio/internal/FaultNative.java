package io.jvfio.internal;

/** Natives of native/src/fault.c; constants in {@link FaultConstants}. Natives only (see {@link UnixNative}). */
public final class FaultNative {
    private FaultNative() {}

    public static native String constants();

    /** IOMMU_FAULT_QUEUE_ALLOC: returns the fault fd and stores the object id (u32) at {@code outId}. */
    public static native int queueAlloc(int iommufd, long outId);

    /** Reads whole page-request groups: bytes read, 0 when none is pending, -EINVAL when the first does not fit. */
    public static native long read(int faultFd, long address, int length);

    /** Writes responses: bytes the kernel took (up to the first it refuses), -EINVAL when it refuses the first. */
    public static native long respond(int faultFd, long address, int length);

    /**
     * {@link #respond} then, when the kernel took every response, {@link #read}: one crossing per
     * batch. Stores the write's result and the CLOCK_MONOTONIC ns after it as two longs at
     * {@code status}; returns the read's result, or {@link FaultConstants#NOT_READ} when the write was not whole.
     */
    public static native long respondRead(int faultFd, long responses, int length, long records, int capacity, long status);

    /**
     * IOMMU_IOAS_MAP with {@code mapFlags} then, only when it mapped, {@link #respondRead}: a demand-map
     * fault loop's turn in one crossing. Returns as {@link #respondRead}, or
     * {@link FaultConstants#NOT_MAPPED} with the map's -errno at {@code status} when the map failed
     * and nothing was written.
     */
    public static native long mapRespondRead(int iommufd, int ioas, int mapFlags, long va, long mapLength, long iova,
            int faultFd, long responses, int length, long records, int capacity, long status);
}
