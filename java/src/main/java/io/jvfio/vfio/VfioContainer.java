package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.internal.BufferLeases;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.InfoBuffer;
import io.jvfio.internal.MappingChecks;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.UnmapListeners;
import io.jvfio.internal.VfioConstants;
import io.jvfio.internal.VfioNative;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.memory.DmaMapper;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A legacy VFIO container ({@code /dev/vfio/vfio}): groups are added to it, then it gets an IOMMU
 * model (type1 v2) and DMA mappings. Teardown: close devices, then groups, then the container.
 */
public final class VfioContainer implements DmaMapper, AutoCloseable {
    public static final String DEFAULT_PATH = "/dev/vfio/vfio";

    private final OwnedFd fd;
    private final UnmapListeners unmapListeners = new UnmapListeners();
    /**
     * The DmaBuffers mapped by {@link #map(DmaBuffer, long, Set)}, kept from giving their addresses to
     * a later mmap until unmapped: type1 pins at the map, but iommufd's compatibility container (this
     * class on /dev/iommu, or on a /dev/vfio/vfio that iommufd provides) only when a device opens.
     * Not ended by close: the kernel keeps the mappings while a group is set to the container.
     */
    private final BufferLeases bufferLeases = new BufferLeases();

    private VfioContainer(OwnedFd fd) {
        this.fd = fd;
    }

    public static VfioContainer open() throws VfioException {
        return open(DEFAULT_PATH);
    }

    public static VfioContainer open(String path) throws VfioException {
        Objects.requireNonNull(path, "path");
        int fd = UnixNative.open(path, UnixConstants.O_RDWR);
        if (fd < 0) {
            throw Errors.failure("open", path, -fd, -fd == Errno.ENOENT || -fd == Errno.ENODEV
                    ? "the legacy VFIO container needs CONFIG_VFIO_CONTAINER (or iommufd's compatibility container) and"
                    + " the vfio module (modprobe vfio-pci)" : null); // else the errno's usual hint (EACCES: run as root)
        }
        VfioContainer c = new VfioContainer(new OwnedFd(fd, "container " + path));
        try {
            int version = c.apiVersion();
            if (version != VfioConstants.VFIO_API_VERSION) {
                throw new VfioException("VFIO_GET_API_VERSION", path, "unknown VFIO API version " + version
                        + " (jvfio speaks " + VfioConstants.VFIO_API_VERSION + ")");
            }
            return c;
        } catch (VfioException | RuntimeException e) {
            c.fd.closeQuietly(e);
            throw e;
        }
    }

    public int fd() {
        return fd.get();
    }

    /** {@code syscall} on the container's descriptor, counted as a use of it (see OwnedFd). */
    long call(String operation, java.util.function.IntToLongFunction syscall) {
        return fd.call(operation, syscall);
    }

    public int apiVersion() throws VfioException {
        return Errors.check((int) fd.call("VFIO_GET_API_VERSION",
                f -> VfioNative.simpleIoctl(f, VfioConstants.VFIO_GET_API_VERSION)),
                "VFIO_GET_API_VERSION", fd.description());
    }

    /** Whether the container supports an extension such as VFIO_TYPE1v2_IOMMU. */
    public boolean checkExtension(int extension) throws VfioException {
        return Errors.check((int) fd.call("VFIO_CHECK_EXTENSION",
                f -> VfioNative.intIoctl(f, VfioConstants.VFIO_CHECK_EXTENSION, extension)),
                "VFIO_CHECK_EXTENSION", fd.description() + ", extension " + extension) > 0;
    }

    /** Sets the IOMMU model; needs at least one group set to this container first. */
    public void setIommu(int type) throws VfioException {
        int r = (int) fd.call("VFIO_SET_IOMMU", f -> VfioNative.intIoctl(f, VfioConstants.VFIO_SET_IOMMU, type));
        if (r < 0) {
            throw Errors.failure("VFIO_SET_IOMMU", fd.description() + ", type " + type, -r,
                    "the container needs a group first (VfioGroup.setContainer) and takes one IOMMU model, once: check"
                            + " the type with checkExtension, and that no model was set before");
        }
    }

    /** Whether the container offers the type1 v2 IOMMU model that {@link #setType1v2()} sets. */
    public boolean supportsType1v2() throws VfioException {
        return checkExtension(VfioConstants.VFIO_TYPE1v2_IOMMU);
    }

    public void setType1v2() throws VfioException {
        setIommu(VfioConstants.VFIO_TYPE1v2_IOMMU);
    }

    public VfioIommuInfo iommuInfo() throws VfioException {
        InfoBuffer info = InfoBuffer.withCapacity(512, b -> Errors.check(
                (int) fd.call("VFIO_IOMMU_GET_INFO",
                        f -> VfioNative.iommuGetInfo(f, b.address(), b.capacity())), "VFIO_IOMMU_GET_INFO", fd.description()));
        return VfioIommuInfo.decode(info.bytes(info.capacity()), VfioConstants.C);
    }

    private static int flags(int accessMask) {
        Access.checkMask(accessMask);
        return ((accessMask & Access.READ.bit()) != 0 ? VfioConstants.DMA_MAP_FLAG_READ : 0)
                | ((accessMask & Access.WRITE.bit()) != 0 ? VfioConstants.DMA_MAP_FLAG_WRITE : 0);
    }

    @Override
    public void map(long va, long length, long iova, Set<Access> access) throws VfioException {
        MappingChecks.check("VFIO_IOMMU_MAP_DMA", () -> rangeObject(iova, length), iova, length, true, Access.mask(access));
        long r = tryMap(va, length, iova, access);
        if (r < 0) {
            throw Errors.failure("VFIO_IOMMU_MAP_DMA", rangeObject(iova, length), (int) -r, mapHint((int) -r));
        }
    }

    /** Maps all of {@code buffer} at {@code iova}; until it is unmapped, a close of the buffer leaves its addresses reserved. */
    @Override
    public void map(DmaBuffer buffer, long iova, Set<Access> access) throws VfioException {
        synchronized (buffer) { // as DmaMapper.map(DmaBuffer, ...): no close between the address and the map
            map(buffer.address(), buffer.size(), iova, access);
            bufferLeases.add(buffer, iova);
        }
    }

    @Override
    public long tryMap(long va, long length, long iova, Set<Access> access) {
        return tryMap(va, length, iova, Access.mask(access));
    }

    @Override
    public long tryMap(long va, long length, long iova, int accessMask) {
        int flags = flags(accessMask);
        return fd.tryCall(f -> VfioNative.mapDma(f, flags, va, iova, length), -Errno.EBADF); // errnos, as promised
    }

    @Override
    public String mapOperation() {
        return "VFIO_IOMMU_MAP_DMA";
    }

    @Override
    public void addUnmapListener(UnmapListener listener) {
        unmapListeners.add(listener);
    }

    @Override
    public void removeUnmapListener(UnmapListener listener) {
        unmapListeners.remove(listener);
    }

    @Override
    public long unmap(long iova, long length) throws VfioException {
        MappingChecks.checkRange("VFIO_IOMMU_UNMAP_DMA", () -> rangeObject(iova, length), iova, length, true);
        List<BufferLeases.Lease> leases = bufferLeases.in(iova, iova + length - 1);
        // The listeners hear inside the use: not of an unmap that a close refuses (the container answers no EBADF of its own).
        long r = fd.tryCall(f -> {
            unmapListeners.unmapping(iova, length);
            return VfioNative.unmapDma(f, iova, length);
        }, -Errno.EBADF);
        if (r < 0) {
            throw Errors.failure("VFIO_IOMMU_UNMAP_DMA", rangeObject(iova, length), (int) -r,
                    r == -Errno.EBADF ? "the container is closed" : null);
        }
        bufferLeases.end(leases);
        return r;
    }

    private String rangeObject(long iova, long length) {
        return String.format("%s, iova 0x%x, size 0x%x", fd.description(), iova, length);
    }

    private static String mapHint(int errno) {
        if (errno == Errno.EBADF) {
            return "the container is closed";
        }
        if (errno == Errno.EEXIST) {
            return "the IOVA range overlaps an existing mapping; unmap it first";
        }
        if (errno == Errno.EINVAL) {
            return "vaddr, iova and size must be aligned to the IOMMU page size and the range inside iommuInfo().iovaRanges()";
        }
        return null;
    }

    @Override
    public void close() throws VfioException {
        // The leases stay: a group still set keeps the mappings, and this object (VfioGroup holds it).
        fd.close();
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
