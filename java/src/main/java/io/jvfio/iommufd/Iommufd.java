package io.jvfio.iommufd;

import io.jvfio.VfioException;
import io.jvfio.internal.Errors;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;

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
