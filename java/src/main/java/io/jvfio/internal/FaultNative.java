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
     * {@code status}, which must be the caller's own memory, never a user's buffer (C storing into
     * memory unmapped meanwhile takes SIGBUS, which kills the JVM); returns the read's result, or {@link FaultConstants#NOT_READ} when the write was not whole.
     */
    public static native long respondRead(int faultFd, long responses, int length, long records, int capacity, long status);
}
