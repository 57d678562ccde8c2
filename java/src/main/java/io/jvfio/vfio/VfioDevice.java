package io.jvfio.vfio;

import io.jvfio.EventFd;
import io.jvfio.KernelFeature;
import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import io.jvfio.internal.Errno;
import io.jvfio.internal.Errors;
import io.jvfio.internal.InfoBuffer;
import io.jvfio.internal.KernelSupport;
import io.jvfio.internal.MappingChecks;
import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.VfioConstants;
import io.jvfio.internal.VfioNative;
import io.jvfio.iommufd.HwInfo;
import io.jvfio.iommufd.HwPageTable;
import io.jvfio.iommufd.IoAddressSpace;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.pci.GroupViability;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;
import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.IntToLongFunction;

/**
 * A VFIO device, opened through its group (legacy) or its cdev ({@code /dev/vfio/devices/vfioN},
 * then bound to an iommufd). Regions, BAR mmaps, config space, IRQs and reset work the same on both.
 * {@link #close()} unmaps the {@link Mmio}s still open on it first: a mapping holds the device file,
 * and the kernel releases the device (to another container or iommufd) only once the last goes.
 */
public final class VfioDevice implements AutoCloseable {
    /** PCIe PASIDs are 20 bits wide. */
    private static final int PASID_BITS = 20;

    private final OwnedFd fd;
    private final PciAddress address;
    private int iommufdDeviceId = -1;
    private Iommufd iommufd;
    private PciConfigSpace pciConfig;
    /** The mappings of its regions not closed yet, and whether close began; guarded by this object's lock. */
    private final Set<Mmio> mappings = new HashSet<>();
    private boolean closing;
    /** Opened through its cdev and not bound yet: the kernel answers everything but the bind with EINVAL. */
    private volatile boolean unbound;
    /** Whether the BARs answer; config writes go through it. */
    private final MemoryDecode decode = new MemoryDecode(this);
    /**
     * The handle of each IRQ index's routing now: an enable of an index already enabled (a VMM growing
     * MSI-X, swapping INTx's eventfd) supersedes the earlier handle, whose close must then leave the
     * routing alone. Guarded by itself.
     */
    private final Map<Integer, EnabledIrq> enabledIrqs = new HashMap<>();

    VfioDevice(OwnedFd fd, PciAddress address) {
        this.fd = fd;
        this.address = address;
    }

    /** Opens a device's VFIO cdev; bind it with {@link #bindIommufd} before anything else. */
    public static VfioDevice openCdev(PciAddress address) throws VfioException {
        PciSysfs sysfs = PciSysfs.system();
        Optional<Path> cdev = sysfs.vfioCdev(address);
        if (cdev.isPresent()) {
            return openCdev(cdev.get(), address);
        }
        // vfioCdev refused a device that is not there, naming it.
        if (sysfs.driver(address).orElse("").equals(PciSysfs.VFIO_PCI)) {
            throw new VfioException("open", address.toString(), address + " is on vfio-pci but has no VFIO cdev: the kernel"
                    + " was built without CONFIG_VFIO_DEVICE_CDEV (open it through its group, VfioGroup), or the device is"
                    + " being unbound or removed");
        }
        throw new VfioException("open", address.toString(), "no VFIO cdev for " + address + ": bind it to vfio-pci first"
                + " (jvfio bind " + address + ")");
    }

    public static VfioDevice openCdev(Path cdev, PciAddress address) throws VfioException {
        int r = UnixNative.open(cdev.toString(), UnixConstants.O_RDWR);
        if (r < 0) {
            throw Errors.failure("open", "device " + address + ", " + cdev, -r, -r == Errno.EBUSY
                    ? "the device is already open (through its group or another cdev open)" : null);
        }
        Optional<PciAddress> owner = cdevOwner(r);
        if (owner.isPresent() && !owner.get().equals(address)) {
            UnixNative.close(r);
            // Every message would name the wrong device, and the decode gate would ask sysfs about the wrong one.
            throw new VfioException("open", "device " + address + ", " + cdev, "this cdev belongs to " + owner.get()
                    + ", not to " + address + ": pass the address of the device it belongs to (PciSysfs.vfioCdev finds a"
                    + " device's cdev)");
        }
        VfioDevice device = new VfioDevice(new OwnedFd(r, "device " + address), address);
        device.unbound = true;
        return device;
    }

    /** The PCI device whose VFIO cdev {@code fd} is open, as sysfs says; empty when it cannot tell. */
    private static Optional<PciAddress> cdevOwner(int fd) {
        try {
            // glibc's dev_t: major in bits 8-19 and 32-43, minor in bits 0-7 and 12-31.
            long rdev = (Long) Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:rdev");
            int major = (int) (((rdev >>> 32) & 0xfffff000L) | ((rdev >>> 8) & 0xfffL));
            int minor = (int) (((rdev >>> 12) & 0xffffff00L) | (rdev & 0xffL));
            return PciSysfs.system().deviceOfVfioCdev(major, minor);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // no /proc, or no unix attribute view: not checked
        }
    }

    /**
     * {@code ioctl} (or read, write, mmap) on the device fd for {@code operation}; refused before the kernel
     * while the device waits for its bind, with the hint the kernel's bare EINVAL would not give.
     */
    private long call(String operation, IntToLongFunction ioctl) throws VfioException {
        if (unbound && fd.isOpen()) { // closed: fd.call says so
            throw VfioException.of(operation, fd.description(), Errno.EINVAL, "the device was opened through its cdev and"
                    + " is not bound yet: call bindIommufd first (until then the kernel refuses all else)");
        }
        return fd.call(operation, ioctl);
    }

    public PciAddress address() {
        return address;
    }

    public int fd() {
        return fd.get();
    }

    /** Why the kernel refused a bind, by its errno: each names a different holder. */
    private String bindHint(int errno) {
        if (errno == Errno.EPERM) {
            // The IOMMU group has a DMA owner other than this iommufd (a host driver, another iommufd), or MSIs are not isolated.
            try {
                PciSysfs sysfs = PciSysfs.system();
                OptionalInt group = sysfs.iommuGroup(address);
                if (group.isPresent()) {
                    return GroupViability.offenders(group.getAsInt(), sysfs).isEmpty()
                            ? "a device of IOMMU group " + group.getAsInt() + " is bound to another iommufd (another"
                                    + " process?); or the IOMMU cannot isolate MSIs (no interrupt remapping), which iommufd"
                                    + " refuses unless loaded with allow_unsafe_interrupts=1 (see dmesg)"
                            : GroupViability.explain(group.getAsInt(), sysfs);
                }
            } catch (VfioException e) {
                // The generic hint below.
            }
        }
        if (errno == Errno.EINVAL) {
            return "the device is bound already: by this handle, or through another open of its cdev (another process?);"
                    + " a device binds once";
        }
        if (errno == Errno.EBUSY) {
            return "the device's group is open (a VfioGroup, or another process using the group path)";
        }
        return "bind needs a device opened through its cdev, not yet bound, in a group no one else uses";
    }

    /** Binds a cdev-opened device to an iommufd; returns its iommufd device id. */
    public int bindIommufd(Iommufd iommufd) throws VfioException {
        int r = (int) fd.call("VFIO_DEVICE_BIND_IOMMUFD", f -> VfioNative.bindIommufd(f, iommufd.fd()));
        if (r < 0) {
            throw Errors.failure("VFIO_DEVICE_BIND_IOMMUFD", fd.description() + ", " + iommufd, -r, bindHint(-r));
        }
        iommufdDeviceId = r;
        this.iommufd = iommufd;
        unbound = false;
        return r;
    }

    /** The iommufd device id from {@link #bindIommufd}, or -1. */
    public int iommufdDeviceId() {
        return iommufdDeviceId;
    }

    /**
     * Attaches to an IOAS (replaces the current attachment); returns the id of the HW page table the
     * kernel attached for it. An IOAS that is closed (its id may name another by now) or belongs to
     * another iommufd is refused before the kernel sees its id.
     */
    public int attach(IoAddressSpace ioas) throws VfioException {
        checkTarget("VFIO_DEVICE_ATTACH_IOMMUFD_PT", ioas, ioas.isOpen(), ioas.iommufd());
        return attach(ioas.id(), ioas.toString());
    }

    /**
     * Attaches to an IOAS or HW page table by its raw id (replaces the current one); returns the id
     * attached. Prefer {@link #attach(IoAddressSpace)} and {@link #attach(HwPageTable)}, which refuse a
     * closed object whose id the kernel may have given to another.
     */
    public int attach(int ptId) throws VfioException {
        return attach(ptId, "pt " + ptId);
    }

    private int attach(int ptId, String target) throws VfioException {
        int r = (int) call("VFIO_DEVICE_ATTACH_IOMMUFD_PT", f -> VfioNative.attachPt(f, ptId));
        if (r < 0) {
            // An IOAS pins its mappings' pages at the first attach: here.
            throw Errors.failure("VFIO_DEVICE_ATTACH_IOMMUFD_PT", fd.description() + ", " + target, -r,
                    -r == Errno.EFAULT ? MappingChecks.PIN_FAILED_HINT : null);
        }
        return r;
    }

    /**
     * Attaches to a HW page table (replaces the current attachment); returns its id. A table that
     * delivers faults takes only a device that can issue page requests: Intel's driver answers a
     * device without PRI with ENODEV, and the exception (a {@link VfioUnsupportedException}) says so. That driver blocks the device's DMA
     * before it refuses and leaves it blocked (seen on 7.2), while iommufd keeps the old attachment,
     * so attaching that again changes nothing: {@link #detach()} and attach afresh.
     */
    public int attach(HwPageTable pageTable) throws VfioException {
        checkPageTable("VFIO_DEVICE_ATTACH_IOMMUFD_PT", pageTable);
        int r = (int) call("VFIO_DEVICE_ATTACH_IOMMUFD_PT", f -> VfioNative.attachPt(f, pageTable.id()));
        if (r < 0) {
            String hint = null;
            Exception hintFailure = null;
            try {
                hint = missingPriHint(-r, pageTable);
            } catch (VfioException | RuntimeException e) {
                hintFailure = e; // the attach's own errno stays the error
            }
            String object = fd.description() + ", " + pageTable;
            // A device without PRI can never take this table's faults: unsupported, not a passing failure.
            VfioException failure = hint != null
                    ? new VfioUnsupportedException("VFIO_DEVICE_ATTACH_IOMMUFD_PT", object, -r, hint)
                    : Errors.failure("VFIO_DEVICE_ATTACH_IOMMUFD_PT", object, -r, null);
            if (hintFailure != null) {
                failure.addSuppressed(hintFailure);
            }
            throw failure;
        }
        return r;
    }

    /** Why a faulting table refused this device, when the reason is its missing PRI; else null. */
    private String missingPriHint(int errno, HwPageTable pageTable) throws VfioException {
        if (errno != Errno.ENODEV || !pageTable.deliversFaults() || pciConfig().capabilities().pri()) {
            return null;
        }
        return address + " has no PRI capability in its config space: it cannot issue page requests, so it cannot"
                + " take I/O page faults; detach it (its DMA may be left blocked) and attach it to a table without a"
                + " fault queue, with its memory pinned";
    }

    public void detach() throws VfioException {
        Errors.check((int) call("VFIO_DEVICE_DETACH_IOMMUFD_PT",
                f -> VfioNative.detachPt(f)), "VFIO_DEVICE_DETACH_IOMMUFD_PT", fd.description());
    }

    /**
     * Attaches PASID {@code pasid} of this bound device to a HW page table (or replaces the one it
     * has); returns the id attached. Needs Linux 6.15+ ({@link KernelFeature#DEVICE_PASID_ATTACH}), a
     * table allocated with {@link io.jvfio.iommufd.HwptFlag#PASID} (and the device's own table too),
     * and a device whose IOMMU reports PASIDs: one that reports none is refused before the ioctl.
     *
     * @throws IllegalArgumentException when {@code pasid} is 0 (the device's own requests, see
     *         {@link #attach(HwPageTable)}) or not in 1..2^20-1, or beyond the device's PASID width
     */
    public int attachPasid(int pasid, HwPageTable pageTable) throws VfioException {
        checkPageTable("VFIO_DEVICE_ATTACH_PASID", pageTable);
        return attachPasid(pasid, pageTable.id(), pageTable.toString());
    }

    /**
     * Refuses a table that is closed or belongs to another iommufd than this device's: the kernel
     * knows tables by id only, and such an id may name an unrelated object of this device's iommufd.
     */
    private void checkPageTable(String operation, HwPageTable pageTable) {
        checkTarget(operation, pageTable, pageTable.isOpen(), pageTable.iommufd());
    }

    /** Refuses an attach target (an IOAS, a HW page table) that is closed or belongs to another iommufd. */
    private void checkTarget(String operation, Object target, boolean open, Iommufd owner) {
        if (!open) {
            throw new IllegalStateException(operation + "(" + fd.description() + "): " + target + " is closed");
        }
        if (iommufd != null && owner != iommufd) {
            throw new IllegalArgumentException(operation + "(" + fd.description() + "): " + target + " belongs to "
                    + owner + ", not to " + iommufd + ", which this device is bound to");
        }
    }

    /**
     * {@link #attachPasid(int, HwPageTable)} by a HW page table's id. (The kernel refuses an IOAS id
     * here with EINVAL: the table it would make for it is not one for PASIDs.)
     */
    public int attachPasid(int pasid, int ptId) throws VfioException {
        return attachPasid(pasid, ptId, "pt " + ptId);
    }

    private int attachPasid(int pasid, int ptId, String target) throws VfioException {
        checkPasid(pasid);
        String object = fd.description() + ", pasid " + pasid + ", " + target;
        // Before the kernel's version: on any kernel, an unbound device is the caller's mistake to mend.
        checkBound("VFIO_DEVICE_ATTACH_IOMMUFD_PT", object);
        // A kernel without PASID attach answers for itself: its refusal names the version it lacks.
        if (!KernelSupport.lacks(KernelFeature.DEVICE_PASID_ATTACH)) {
            checkPasidSupport(pasid, object);
        }
        int r = (int) call("VFIO_DEVICE_ATTACH_PASID", f -> VfioNative.attachPasid(f, pasid, ptId));
        if (r < 0) {
            String hint = -r == Errno.EINVAL
                    ? "a PASID attaches only to a HW page table allocated with HwptFlag.PASID (not to an IOAS),"
                            + " and so must the table the device itself is attached to"
                    : -r == Errno.EOPNOTSUPP ? "the device's VFIO driver or its IOMMU cannot attach PASIDs" : null;
            throw KernelSupport.failure("VFIO_DEVICE_ATTACH_IOMMUFD_PT", object, -r, hint, KernelFeature.DEVICE_PASID_ATTACH);
        }
        return r;
    }

    /**
     * Detaches PASID {@code pasid} of this bound device (Linux 6.15+); a PASID that is not attached is
     * left as it is.
     */
    public void detachPasid(int pasid) throws VfioException {
        checkPasid(pasid);
        String object = fd.description() + ", pasid " + pasid;
        checkBound("VFIO_DEVICE_DETACH_IOMMUFD_PT", object);
        int r = (int) call("VFIO_DEVICE_DETACH_PASID", f -> VfioNative.detachPasid(f, pasid));
        if (r < 0) {
            throw KernelSupport.failure("VFIO_DEVICE_DETACH_IOMMUFD_PT", object, -r, null, KernelFeature.DEVICE_PASID_ATTACH);
        }
    }

    private static void checkPasid(int pasid) {
        if (pasid <= 0 || pasid >= 1 << PASID_BITS) {
            throw new IllegalArgumentException("PASID " + pasid + " is not in 1.." + ((1 << PASID_BITS) - 1)
                    + " (PASIDs are " + PASID_BITS + " bits; 0 stands for the device's own requests: use attach())");
        }
    }

    /** Refuses a device not bound to an iommufd: PASIDs exist only there. */
    private void checkBound(String operation, String object) throws VfioException {
        if (iommufd == null) {
            throw new VfioException(operation, object, "the device is not bound to an iommufd: PASIDs attach and"
                    + " detach only on a device opened through its cdev (openCdev) and bound with bindIommufd");
        }
    }

    /** Refuses a device whose IOMMU reports no PASIDs, or fewer than {@code pasid} needs, as IOMMU_GET_HW_INFO tells. */
    private void checkPasidSupport(int pasid, String object) throws VfioException {
        int width = HwInfo.query(iommufd, iommufdDeviceId).maxPasidLog2();
        if (width == 0) {
            throw new VfioUnsupportedException("VFIO_DEVICE_ATTACH_IOMMUFD_PT", object, "the device or its IOMMU supports"
                    + " no PASID: IOMMU_GET_HW_INFO reports max_pasid_log2 0; needs a device with a PASID capability"
                    + " behind an IOMMU in scalable mode, e.g. QEMU intel-iommu x-scalable-mode=on,x-pasid-mode=on");
        }
        if (width < PASID_BITS && pasid >= 1 << width) {
            throw new IllegalArgumentException("PASID " + pasid + " is beyond " + address + "'s PASID width:"
                    + " IOMMU_GET_HW_INFO reports max_pasid_log2 " + width);
        }
    }

    public VfioDeviceInfo info() throws VfioException {
        InfoBuffer b = InfoBuffer.withCapacity(256, buf -> Errors.check((int) call("VFIO_DEVICE_GET_INFO",
                f -> VfioNative.deviceGetInfo(f, buf.address(), buf.capacity())), "VFIO_DEVICE_GET_INFO", fd.description()));
        return new VfioDeviceInfo(b.getInt(VfioConstants.C.offsetOf("vfio_device_info", "flags")),
                b.getInt(VfioConstants.C.offsetOf("vfio_device_info", "num_regions")),
                b.getInt(VfioConstants.C.offsetOf("vfio_device_info", "num_irqs")));
    }

    public VfioRegionInfo regionInfo(int index) throws VfioException {
        String object = fd.description() + ", index " + index;
        InfoBuffer b = InfoBuffer.withCapacity(256, buf -> {
            int r = (int) call("VFIO_DEVICE_GET_REGION_INFO",
                    f -> VfioNative.regionGetInfo(f, index, buf.address(), buf.capacity()));
            if (r < 0) {
                throw Errors.failure("VFIO_DEVICE_GET_REGION_INFO", object, -r, -r == Errno.EINVAL
                        ? "no region " + index + " on this device (see info().numRegions())" : null);
            }
            return r;
        });
        return VfioRegionInfo.decode(b.bytes(b.capacity()), VfioConstants.C);
    }

    /**
     * Every region the device has. vfio-pci counts the VGA region on every device but answers EINVAL
     * for it on a device that does not decode VGA: that index is left out.
     */
    public List<VfioRegionInfo> regions() throws VfioException {
        List<VfioRegionInfo> out = new ArrayList<>();
        int n = info().numRegions();
        for (int i = 0; i < n; i++) {
            try {
                out.add(regionInfo(i));
            } catch (VfioException e) {
                if (i != PciIndex.VGA || e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
        }
        return out;
    }

    /**
     * Every IRQ index the device offers. vfio-pci counts the error and request indices on every
     * device but answers EINVAL for the error index of a conventional PCI device: those are left out.
     */
    public List<VfioIrqInfo> irqs() throws VfioException {
        List<VfioIrqInfo> out = new ArrayList<>();
        int n = info().numIrqs();
        for (int i = 0; i < n; i++) {
            try {
                out.add(irqInfo(i));
            } catch (VfioException e) {
                if ((i != PciIndex.ERR && i != PciIndex.REQ) || e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
        }
        return out;
    }

    public VfioIrqInfo irqInfo(int index) throws VfioException {
        InfoBuffer b = new InfoBuffer(VfioConstants.C.sizeOf("vfio_irq_info"));
        int r = (int) call("VFIO_DEVICE_GET_IRQ_INFO", f -> VfioNative.irqGetInfo(f, index, b.address()));
        if (r < 0) {
            throw Errors.failure("VFIO_DEVICE_GET_IRQ_INFO", fd.description() + ", index " + index, -r, null);
        }
        int flags = b.getInt(VfioConstants.C.offsetOf("vfio_irq_info", "flags"));
        return new VfioIrqInfo(index, b.getInt(VfioConstants.C.offsetOf("vfio_irq_info", "count")),
                IrqFlag.of(flags), flags);
    }

    /** Reads {@code length} bytes of a region at {@code offset} (pread on the device fd). */
    public ByteBuffer readRegion(int index, long offset, int length) throws VfioException {
        VfioRegionInfo region = regionInfo(index);
        checkRange(region, offset, length, "read");
        ByteBuffer buf = ByteBuffer.allocateDirect(length).order(ByteOrder.LITTLE_ENDIAN);
        long n = Errors.check(call("pread",
                f -> UnixNative.pread(f, UnixNative.address(buf), length, region.offset() + offset)),
                "pread", regionObject(index, offset, length));
        if (n != length) { // a buffer cut short would read as the region's bytes followed by zeros
            throw new VfioException("pread", regionObject(index, offset, length), "short read of " + n + " bytes");
        }
        return buf;
    }

    /**
     * Writes the buffer's remaining bytes into a region at {@code offset} (pwrite). A write into the
     * config region goes through the same gate as {@link PciConfigSpace}'s writes (it may turn off BAR
     * decoding under an access).
     */
    public void writeRegion(int index, long offset, ByteBuffer data) throws VfioException {
        VfioRegionInfo region = regionInfo(index);
        int length = data.remaining();
        checkRange(region, offset, length, "write");
        ByteBuffer direct = ByteBuffer.allocateDirect(length);
        direct.put(data.duplicate()).flip();
        PciConfigSpace.ConfigWrite write = () -> {
            long n;
            try {
                n = Errors.check(call("pwrite",
                        f -> UnixNative.pwrite(f, UnixNative.address(direct), length, region.offset() + offset)),
                        "pwrite", regionObject(index, offset, length));
            } finally {
                Reference.reachabilityFence(direct); // the kernel reads it by address: not freed under the pwrite
            }
            if (n != length) {
                throw new VfioException("pwrite", regionObject(index, offset, length), "short write of " + n + " bytes");
            }
            byte[] written = new byte[length];
            direct.get(0, written);
            return written;
        };
        if (index == PciIndex.CONFIG) {
            decode.write((int) offset, length, write); // checked inside the region, which is at most 4 KiB
        } else {
            write.run();
        }
    }

    private void checkRange(VfioRegionInfo region, long offset, int length, String what) throws VfioException {
        if (offset < 0 || length < 0 || offset > region.size() - length) { // not offset + length: it can overflow
            throw new VfioException(what, regionObject(region.index(), offset, length), String.format(
                    "outside the region (size 0x%x)", region.size()));
        }
        boolean allowed = what.equals("read") ? region.readable() : region.writable();
        if (!allowed) {
            throw new VfioException(what, regionObject(region.index(), offset, length), "the region is not " + what + "able");
        }
    }

    private String regionObject(int index, long offset, int length) {
        return String.format("%s, %s, offset 0x%x, %d bytes", fd.description(), PciIndex.regionName(index), offset, length);
    }

    /** Maps a whole region (a BAR) for MMIO; {@link #close()} unmaps it if it is still open then. */
    public synchronized Mmio mapRegion(int index) throws VfioException {
        if (closing) {
            throw new IllegalStateException(fd.description() + " is closed");
        }
        VfioRegionInfo region = regionInfo(index);
        String what = fd.description() + ", " + PciIndex.regionName(index);
        if (!region.mmappable() || region.size() == 0) {
            throw new VfioException("mmap", what, region.size() == 0 ? "the region is empty"
                    : "the region cannot be mmapped; use readRegion/writeRegion" + (region.sparseAreas().isEmpty()
                    ? "" : " or map its sparse areas " + region.sparseAreas()));
        }
        decode.learn(); // so that the first access already knows whether the BAR answers
        int prot = (region.readable() ? UnixConstants.PROT_READ : 0) | (region.writable() ? UnixConstants.PROT_WRITE : 0);
        long addr = call("mmap", f -> UnixNative.mmap(region.size(), prot, UnixConstants.MAP_SHARED, f, region.offset()));
        Errors.check(addr, "mmap", what);
        Mmio mmio = new Mmio(addr, region.size(), region.readable(), region.writable(), what, this::unmapped, decode);
        mappings.add(mmio);
        return mmio;
    }

    public Mmio mapBar(int bar) throws VfioException {
        return mapRegion(PciIndex.bar(bar));
    }

    /** The device's PCI config space; the first call looks up where the config region sits. */
    public synchronized PciConfigSpace pciConfig() throws VfioException {
        if (pciConfig == null) {
            pciConfig = new PciConfigSpace(fd, regionInfo(PciIndex.CONFIG), decode);
        }
        return pciConfig;
    }

    /**
     * Routes vectors {@code 0..n-1} of an IRQ index (INTx, MSI, MSI-X) to eventfds; closing the
     * result (or {@link #disableIrq}) tears them down. At least one eventfd. Enabling an index that is
     * enabled already routes vectors 0..n-1 anew as the kernel does (MSI and MSI-X vectors past them keep
     * their eventfds) and supersedes the earlier result: closing that one then changes nothing, and
     * closing the latest tears the whole index down.
     */
    public EnabledIrq enableIrq(int index, EventFd... eventFds) throws VfioException {
        if (eventFds.length == 0) {
            // The kernel reads a count of 0 as "change nothing" or refuses it with a bare EINVAL.
            throw new IllegalArgumentException("VFIO_DEVICE_SET_IRQS(" + fd.description() + ", " + PciIndex.irqName(index)
                    + "): no eventfds given: pass one per vector from 0; disableIrq(" + index + ") tears the index down");
        }
        ByteBuffer data = ByteBuffer.allocateDirect(4 * eventFds.length).order(ByteOrder.nativeOrder());
        for (int i = 0; i < eventFds.length; i++) {
            data.putInt(4 * i, eventFds[i].fd());
        }
        synchronized (enabledIrqs) {
            setIrqs(VfioConstants.IRQ_SET_DATA_EVENTFD | VfioConstants.IRQ_SET_ACTION_TRIGGER, index, 0,
                    eventFds.length, data, "enable " + eventFds.length + " vector(s)");
            EnabledIrq enabled = new EnabledIrq(this, index);
            enabledIrqs.put(index, enabled);
            return enabled;
        }
    }

    /** Tears down all vectors of an IRQ index; the index's {@link EnabledIrq} has nothing left to close. */
    public void disableIrq(int index) throws VfioException {
        synchronized (enabledIrqs) {
            setIrqs(VfioConstants.IRQ_SET_DATA_NONE | VfioConstants.IRQ_SET_ACTION_TRIGGER, index, 0, 0, null, "disable");
            enabledIrqs.remove(index);
        }
    }

    /**
     * Tears down the index of {@code enabled} if it is still the index's routing; nothing when a later
     * enable superseded it or the device is closed (its release tore the vectors down).
     */
    void release(EnabledIrq enabled) throws VfioException {
        synchronized (enabledIrqs) {
            if (enabledIrqs.get(enabled.index()) != enabled || !isOpen()) {
                return;
            }
            try {
                disableIrq(enabled.index());
            } catch (IllegalStateException e) {
                if (isOpen()) {
                    throw e;
                } // closed since the check: the release tore them down
            }
        }
    }

    /** Unmasks an automasked interrupt (INTx) after it was handled. */
    public void unmask(int index, int vector) throws VfioException {
        setIrqs(VfioConstants.IRQ_SET_DATA_NONE | VfioConstants.IRQ_SET_ACTION_UNMASK, index, vector, 1, null, "unmask");
    }

    /** Fires a vector from software (loopback test of the eventfd path). */
    public void trigger(int index, int vector) throws VfioException {
        setIrqs(VfioConstants.IRQ_SET_DATA_NONE | VfioConstants.IRQ_SET_ACTION_TRIGGER, index, vector, 1, null, "trigger");
    }

    private void setIrqs(int flags, int index, int start, int count, ByteBuffer data, String what) throws VfioException {
        int r;
        try {
            r = (int) call("VFIO_DEVICE_SET_IRQS",
                    f -> VfioNative.setIrqs(f, flags, index, start, count, data == null ? 0 : UnixNative.address(data),
                    data == null ? 0 : data.capacity()));
        } finally {
            Reference.reachabilityFence(data); // the kernel reads it by address: not freed under the ioctl
        }
        if (r < 0) {
            throw Errors.failure("VFIO_DEVICE_SET_IRQS", fd.description() + ", " + PciIndex.irqName(index) + ", " + what, -r,
                    -r == Errno.EINVAL ? setIrqsHint(index) : null);
        }
    }

    private String setIrqsHint(int index) {
        synchronized (enabledIrqs) {
            for (int other : enabledIrqs.keySet()) {
                if (other != index && isInterruptType(other) && isInterruptType(index)) {
                    return PciIndex.irqName(other) + " is enabled, and vfio-pci runs one IRQ type at a time: close its"
                            + " EnabledIrq (or disableIrq(" + other + ")) first";
                }
            }
        }
        return "check irqInfo(" + index + ").count() and that the device has this capability";
    }

    /** INTx, MSI and MSI-X: the types of which vfio-pci runs one at a time (ERR and REQ stand apart). */
    private static boolean isInterruptType(int index) {
        return index == PciIndex.INTX || index == PciIndex.MSI || index == PciIndex.MSIX;
    }

    public void reset() throws VfioException {
        int r = (int) call("VFIO_DEVICE_RESET", f -> VfioNative.simpleIoctl(f, VfioConstants.VFIO_DEVICE_RESET));
        if (r < 0) {
            throw Errors.failure("VFIO_DEVICE_RESET", fd.description(), -r, "the device may not support a function-level"
                    + " reset (info().supportsReset()); a bus reset needs hotResetInfo()");
        }
        decode.resetDone();
    }

    /** Whether this is an SR-IOV virtual function (its sysfs node has a physfn link); false when sysfs cannot say. */
    boolean isVirtualFunction() {
        return PciSysfs.system().isVirtualFunction(address);
    }

    /**
     * The devices a PCI hot (bus) reset of this device would also reset. Throws
     * {@link VfioUnsupportedException} when neither its slot nor its bus can be reset (ENODEV), e.g.
     * for a device on a root bus.
     */
    public VfioHotResetInfo hotResetInfo() throws VfioException {
        InfoBuffer b = InfoBuffer.withCapacity(256, buf -> {
            int r = (int) call("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO",
                    f -> VfioNative.hotResetInfo(f, buf.address(), buf.capacity()));
            if (r == -Errno.ENODEV) {
                throw new VfioUnsupportedException("VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", fd.description(), Errno.ENODEV,
                        "neither the device's slot nor its bus can be reset (e.g. a device on the root bus)");
            }
            return Errors.check(r, "VFIO_DEVICE_GET_PCI_HOT_RESET_INFO", fd.description());
        });
        return VfioHotResetInfo.decode(b.bytes(b.capacity()), VfioConstants.C);
    }

    public boolean isOpen() {
        return fd.isOpen();
    }

    private synchronized void unmapped(Mmio mmio) {
        mappings.remove(mmio);
    }

    /** The mappings not closed yet, for a config write to hold; the caller holds this object's lock. */
    List<Mmio> openMappings() {
        return new ArrayList<>(mappings);
    }

    /** Unmaps the mappings still open (see the class comment), then closes the device; idempotent. */
    @Override
    public void close() throws VfioException {
        List<Mmio> open;
        synchronized (this) {
            closing = true; // no mapping after this snapshot
            open = new ArrayList<>(mappings);
        }
        VfioException failed = null;
        for (Mmio mmio : open) {
            try {
                mmio.close(); // waits for the accesses in flight
            } catch (VfioException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        try {
            fd.close();
        } catch (VfioException e) {
            if (failed == null) {
                throw e;
            }
            failed.addSuppressed(e);
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public String toString() {
        return fd.toString();
    }
}
