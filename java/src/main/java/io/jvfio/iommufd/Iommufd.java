package io.jvfio.iommufd;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.IommufdConstants;
import io.jvfio.internal.IommufdNative;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.IntToLongFunction;

/**
 * An open {@code /dev/iommu}: the iommufd context that owns I/O address spaces, hardware page
 * tables, fault queues and bound devices. Close it last: objects created from it hold no reference
 * that keeps it open.
 */
public final class Iommufd implements AutoCloseable {
    public static final String DEFAULT_PATH = "/dev/iommu";

    private final OwnedFd fd;

    private Iommufd(OwnedFd fd) {
        this.fd = fd;
    }

    /** Opens {@code /dev/iommu}. */
    public static Iommufd open() throws VfioException {
        return open(DEFAULT_PATH);
    }

    public static Iommufd open(String path) throws VfioException {
        Objects.requireNonNull(path, "path");
        int fd = UnixNative.open(path, UnixConstants.O_RDWR);
        if (fd < 0) {
            throw Errors.failure("open", path, -fd, "iommufd needs CONFIG_IOMMUFD (modprobe iommufd) and"
                    + " read-write access to " + path);
        }
        return new Iommufd(new OwnedFd(fd, "iommufd " + path));
    }

    /** The iommufd descriptor, for binding devices (VFIO_DEVICE_BIND_IOMMUFD). */
    public int fd() {
        return fd.get();
    }

    /** IOMMU_OPTION get: {@code objectId} 0 for the context's options, an IOAS id for per-IOAS ones. */
    public long option(int optionId, int objectId) throws VfioException {
        return Errors.check(fd.call("IOMMU_OPTION",
                f -> IommufdNative.option(f, optionId, IommufdConstants.OPTION_OP_GET, objectId, 0)),
                "IOMMU_OPTION", "get option " + optionId + ", object " + objectId);
    }

    public void setOption(int optionId, int objectId, long value) throws VfioException {
        Errors.check(fd.call("IOMMU_OPTION",
                f -> IommufdNative.option(f, optionId, IommufdConstants.OPTION_OP_SET, objectId, value)),
                "IOMMU_OPTION", "set option " + optionId + " = " + value + ", object " + objectId);
    }

    /** IOMMU_OPTION_RLIMIT_MODE: true when pinned pages are charged per process (else per user). */
    public boolean rlimitPerProcess() throws VfioException {
        return option(IommufdConstants.OPTION_RLIMIT_MODE, 0) != 0;
    }

    /**
     * IOMMU_VFIO_IOAS get: the IOAS that a VFIO container opened on this iommufd (the
     * {@code /dev/vfio/vfio} compatibility layer) maps into; empty when none was chosen yet.
     */
    public OptionalInt vfioCompatIoas() throws VfioException {
        int r = (int) fd.call("IOMMU_VFIO_IOAS", f -> IommufdNative.vfioIoas(f, IommufdConstants.VFIO_IOAS_GET, 0));
        if (r == -Errno.ENODEV) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Errors.check(r, "IOMMU_VFIO_IOAS", "get the VFIO compatibility IOAS"));
    }

    /** IOMMU_VFIO_IOAS set: VFIO containers on this iommufd map into {@code ioasId} from now on. */
    public void setVfioCompatIoas(int ioasId) throws VfioException {
        Errors.check((int) fd.call("IOMMU_VFIO_IOAS",
                f -> IommufdNative.vfioIoas(f, IommufdConstants.VFIO_IOAS_SET, ioasId)), "IOMMU_VFIO_IOAS",
                "set the VFIO compatibility IOAS to " + ioasId);
    }

    public void clearVfioCompatIoas() throws VfioException {
        Errors.check((int) fd.call("IOMMU_VFIO_IOAS",
                f -> IommufdNative.vfioIoas(f, IommufdConstants.VFIO_IOAS_CLEAR, 0)), "IOMMU_VFIO_IOAS",
                "clear the VFIO compatibility IOAS");
    }

    /** {@code ioctl} for {@code operation} on the descriptor, counted as a use (a close meanwhile waits to close the number). */
    long call(String operation, IntToLongFunction ioctl) {
        return fd.call(operation, ioctl);
    }

    /** {@code ioctl} as one use, or {@code whenClosed} once closed (see {@link OwnedFd#tryCall}). */
    long tryCall(IntToLongFunction ioctl, long whenClosed) {
        return fd.tryCall(ioctl, whenClosed);
    }

    /** For the fault path, which returns errnos: starts a use, or returns -1 once closed. */
    int tryAcquire() {
        return fd.tryAcquire();
    }

    void release() {
        fd.release();
    }

    public boolean isOpen() {
        return fd.isOpen();
    }

    @Override
    public void close() throws VfioException {
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
