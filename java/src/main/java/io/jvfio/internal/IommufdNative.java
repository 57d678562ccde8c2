package io.jvfio.internal;

/** Natives of native/src/iommufd.c; constants in {@link IommufdConstants}. Natives only (see {@link UnixNative}). */
public final class IommufdNative {
    private IommufdNative() {}

    public static native String constants();

    public static native int destroy(int fd, int id);

    public static native int ioasAlloc(int fd);

    /**
     * Returns 0 or -errno; stores the IOVA used (the kernel's choice without IOMMU_IOAS_MAP_FIXED_IOVA)
     * as a long at {@code outIova} unless it is 0: an IOVA at or above 2^63 is a valid one.
     */
    public static native int ioasMap(int fd, int ioasId, int flags, long userVa, long length, long iova, long outIova);

    /** IOMMU_IOAS_MAP_FILE (Linux 6.13+): maps a memfd's bytes from {@code start}; returns and stores as {@link #ioasMap}. */
    public static native int ioasMapFile(int fd, int ioasId, int flags, int fileFd, long start, long length, long iova,
                                         long outIova);

    /** Returns the number of bytes unmapped; (0, -1) unmaps everything. */
    public static native long ioasUnmap(int fd, int ioasId, long iova, long length);

    public static native int ioasCopy(int fd, int dstIoas, int srcIoas, int flags, long dstIova, long srcIova, long length);

    /** Returns the number of ranges; above {@code capacity} means call again with more room. */
    public static native int ioasIovaRanges(int fd, int ioasId, long ranges, int capacity, long outAlignment);

    public static native int ioasAllowIovas(int fd, int ioasId, long ranges, int count);

    public static native long option(int fd, int optionId, int op, int objectId, long value);

    public static native int vfioIoas(int fd, int op, int ioasId);

    public static native int hwptAlloc(int fd, int flags, int devId, int ptId, int dataType, long data, int dataLength,
                                       int faultId);

    public static native int getHwInfo(int fd, int devId, long data, int dataLength, long out);

    public static native int hwptSetDirtyTracking(int fd, int hwptId, int flags);

    /** One bit per {@code pageSize} of {@code [iova, iova + length)} into the 64-bit words at {@code data}; 0 or -errno. */
    public static native int hwptGetDirtyBitmap(int fd, int hwptId, int flags, long iova, long length, long pageSize,
                                                long data);
}
