package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.MappingChecks;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.VfioConstants;
import io.jvfio.internal.VfioNative;
import io.jvfio.pci.GroupViability;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import java.util.HashMap;
import java.util.Map;

/**
 * A legacy VFIO group ({@code /dev/vfio/N}). It must be viable (all its devices on vfio-pci or
 * unbound) and set to a container before its devices can be opened.
 */
public final class VfioGroup implements AutoCloseable {
    private final int group;
    private final OwnedFd fd;
    private final PciSysfs sysfs;
    /**
     * The device handles opened through this group, by address; guarded by this object's lock. The
     * kernel hands out any number of fds for one device through a group, but two handles would each
     * think they alone own its BARs, config space and IRQs: one turning decoding off would leave the
     * other touching unmapped BARs, which kills the JVM.
     */
    private final Map<PciAddress, VfioDevice> devices = new HashMap<>();
    /**
     * The container this group is set to, held as the kernel holds it: its record of the buffers it
     * mapped keeps their addresses reserved while the mappings live, after the container's close too.
     */
    private volatile VfioContainer container;

    private VfioGroup(int group, OwnedFd fd, PciSysfs sysfs) {
        this.group = group;
        this.fd = fd;
        this.sysfs = sysfs;
    }

    public static VfioGroup open(int group) throws VfioException {
        return open(group, PciSysfs.system());
    }

    public static VfioGroup open(int group, PciSysfs sysfs) throws VfioException {
        String path = sysfs.vfioGroupNode(group).toString();
        int fd = UnixNative.open(path, UnixConstants.O_RDWR);
        if (fd < 0) {
            throw Errors.failure("open", "group " + group + ", " + path, -fd, fd == -Errno.ENOENT
                    ? "no such VFIO group: bind the group's devices to vfio-pci first (jvfio bind BDF)"
                    : fd == -Errno.EBUSY ? "the group is open already (one open at a time: a VfioGroup of this process not"
                            + " closed yet, or another process), or a device of it is open through its cdev" : null);
        }
        return new VfioGroup(group, new OwnedFd(fd, "group " + group), sysfs);
    }

    /**
     * Whether a process holds the group open: the kernel lets one open its node at a time and refuses
     * the next with EBUSY. Opens the node itself, never through a symlink and never blocking (on a
     * FIFO planted in its place), and closes it again at once.
     */
    public static boolean inUse(int group, PciSysfs sysfs) {
        int fd = UnixNative.open(sysfs.vfioGroupNode(group).toString(),
                UnixConstants.O_RDWR | UnixConstants.O_NOFOLLOW | UnixConstants.O_NONBLOCK);
        if (fd < 0) {
            return fd == -Errno.EBUSY;
        }
        UnixNative.close(fd);
        return false;
    }

    /** Opens the group that a device belongs to. */
    public static VfioGroup forDevice(PciAddress device) throws VfioException {
        PciSysfs sysfs = PciSysfs.system();
        int group = sysfs.iommuGroup(device).orElseThrow(() -> new VfioException("lookup", device.toString(),
                "device " + device + " has no IOMMU group: is the IOMMU enabled (intel_iommu=on / amd_iommu=on)?"));
        return open(group, sysfs);
    }

    public int number() {
        return group;
    }

    public int fd() {
        return fd.get();
    }

    public VfioGroupStatus status() throws VfioException {
        int flags = Errors.check((int) fd.call("VFIO_GROUP_GET_STATUS",
                f -> VfioNative.groupGetStatus(f)), "VFIO_GROUP_GET_STATUS", fd.description());
        return new VfioGroupStatus((flags & VfioConstants.GROUP_FLAGS_VIABLE) != 0,
                (flags & VfioConstants.GROUP_FLAGS_CONTAINER_SET) != 0);
    }

    /** Throws a VfioException that names the offending devices and drivers when not viable. */
    public void requireViable() throws VfioException {
        if (!status().viable()) {
            throw new VfioException("VFIO_GROUP_GET_STATUS", fd.description(), GroupViability.explain(group, sysfs));
        }
    }

    public void setContainer(VfioContainer container) throws VfioException {
        requireViable();
        // Both descriptors counted as in use: a close of either meanwhile cannot recycle its number under the ioctl.
        String operation = "VFIO_GROUP_SET_CONTAINER";
        Errors.check((int) fd.call(operation, f -> container.call(operation, c -> VfioNative.groupSetContainer(f, c))),
                operation, fd.description() + ", " + container);
        this.container = container;
    }

    public void unsetContainer() throws VfioException {
        int r = (int) fd.call("VFIO_GROUP_UNSET_CONTAINER",
                f -> VfioNative.simpleIoctl(f, VfioConstants.VFIO_GROUP_UNSET_CONTAINER));
        if (r < 0) {
            throw Errors.failure("VFIO_GROUP_UNSET_CONTAINER", fd.description(), -r, -r == Errno.EINVAL
                    ? "the group is in no container (unset already, or never set)"
                    : "close the group's devices first (device before group)");
        }
        container = null;
    }

    /**
     * Opens a device of this group; the group must be set to a container with an IOMMU model. One
     * handle per device: a second open while the first is not closed is refused (VfioBusyException).
     */
    public synchronized VfioDevice openDevice(PciAddress address) throws VfioException {
        devices.values().removeIf(device -> !device.isOpen());
        VfioDevice open = devices.get(address);
        if (open != null) {
            throw VfioException.of("VFIO_GROUP_GET_DEVICE_FD", fd.description() + ", device " + address, Errno.EBUSY,
                    "already open through this group as " + open + ": use that handle, or close it first");
        }
        int r = (int) fd.call("VFIO_GROUP_GET_DEVICE_FD", f -> VfioNative.groupGetDeviceFd(f, address.toString()));
        if (r < 0) {
            throw Errors.failure("VFIO_GROUP_GET_DEVICE_FD", fd.description() + ", device " + address, -r, -r == Errno.EFAULT
                    ? MappingChecks.pinFailedHint("the container (iommufd's compatibility container pins at the first"
                            + " device's open)")
                    : "the device must belong to this group and be bound to vfio-pci, and the group must be set"
                            + " to a container whose IOMMU model is set");
        }
        VfioDevice device = new VfioDevice(new OwnedFd(r, "device " + address), address);
        devices.put(address, device);
        return device;
    }

    @Override
    public void close() throws VfioException {
        fd.close();
        container = null; // the kernel leaves the container with the group's last use
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
