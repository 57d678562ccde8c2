package io.jvfio.pci;

import io.jvfio.VfioException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;

/**
 * PCI devices, their drivers and IOMMU groups as sysfs shows them, and binding to vfio-pci through
 * {@code driver_override}. The root is a parameter so that tests can use a tree of their own.
 */
public final class PciSysfs {
    public static final String VFIO_PCI = "vfio-pci";

    private final Path sys;
    private final Path dev;

    public PciSysfs(Path sysRoot, Path devRoot) {
        this.sys = sysRoot;
        this.dev = devRoot;
    }

    public PciSysfs(Path sysRoot) {
        this(sysRoot, Path.of("/dev"));
    }

    /** This machine's /sys and /dev. */
    public static PciSysfs system() {
        return new PciSysfs(Path.of("/sys"), Path.of("/dev"));
    }

    private Path devicesDir() {
        return sys.resolve("bus/pci/devices");
    }

    private Path deviceDir(PciAddress a) throws VfioException {
        Path d = devicesDir().resolve(a.toString());
        if (!Files.isDirectory(d)) {
            throw new VfioException("lookup", a.toString(), "no PCI device " + a + ": not in " + devicesDir()
                    + "; see lspci -D for the devices this machine has");
        }
        return d;
    }

    /** Whether the function is an SR-IOV virtual function (it has a physfn link); false when it is not in sysfs. */
    public boolean isVirtualFunction(PciAddress a) {
        Path d = devicesDir().resolve(a.toString());
        return Files.isDirectory(d) && Files.exists(d.resolve("physfn"), LinkOption.NOFOLLOW_LINKS);
    }

    /** Every PCI function, sorted by address; the first that cannot be read fails the call ({@link #addresses()} goes one by one). */
    public List<PciDeviceInfo> devices() throws VfioException {
        List<PciDeviceInfo> out = new ArrayList<>();
        for (PciAddress a : addresses()) {
            out.add(device(a));
        }
        return out;
    }

    /** The addresses of the devices in sysfs, in order; entries that are not a PCI address are left out. */
    public List<PciAddress> addresses() throws VfioException {
        List<PciAddress> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(devicesDir())) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try {
                    out.add(PciAddress.parse(p.getFileName().toString()));
                } catch (IllegalArgumentException notADevice) {
                    // Only a --sysfs tree made by hand has such entries; the kernel names every device by its address.
                }
            }
        } catch (IOException e) {
            throw new VfioException("list", devicesDir().toString(), "cannot read the PCI devices: " + why(e));
        }
        out.sort(PciAddress::compareTo);
        return out;
    }

    public PciDeviceInfo device(PciAddress a) throws VfioException {
        Path d = deviceDir(a);
        return new PciDeviceInfo(a, hex(d.resolve("vendor")), hex(d.resolve("device")), hex(d.resolve("class")),
                driver(a), iommuGroup(a));
    }

    public boolean exists(PciAddress a) {
        return Files.isDirectory(devicesDir().resolve(a.toString()));
    }

    /** The IOMMU group, or empty when the device has none (no IOMMU, or IOMMU off). */
    public OptionalInt iommuGroup(PciAddress a) throws VfioException {
        Path link = deviceDir(a).resolve("iommu_group");
        try {
            return OptionalInt.of(Integer.parseInt(Files.readSymbolicLink(link).getFileName().toString()));
        } catch (IOException e) {
            return OptionalInt.empty();
        }
    }

    /** The devices of an IOMMU group, sorted. */
    public List<PciAddress> groupDevices(int group) throws VfioException {
        Path dir = sys.resolve("kernel/iommu_groups/" + group + "/devices");
        List<PciAddress> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                try {
                    out.add(PciAddress.parse(p.getFileName().toString()));
                } catch (IllegalArgumentException notPci) {
                    // Non-PCI members (platform devices) do not take part in vfio-pci binding.
                }
            });
        } catch (NoSuchFileException e) {
            throw new VfioException("lookup", "group " + group, "no IOMMU group " + group + " in " + dir.getParent());
        } catch (IOException e) {
            throw new VfioException("lookup", "group " + group, "cannot read " + dir + ": " + why(e));
        }
        out.sort(null);
        return out;
    }

    /** The bound driver's name, or empty when none is bound. */
    public Optional<String> driver(PciAddress a) throws VfioException {
        try {
            return Optional.of(Files.readSymbolicLink(deviceDir(a).resolve("driver")).getFileName().toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The driver a device is kept for ({@code driver_override}), empty when none is set. */
    public Optional<String> driverOverride(PciAddress a) throws VfioException {
        try {
            String value = Files.readString(deviceDir(a).resolve("driver_override"), StandardCharsets.US_ASCII).trim();
            return value.isEmpty() || value.equals("(null)") ? Optional.empty() : Optional.of(value);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The VFIO cdev ({@code /dev/vfio/devices/vfioN}) of a device bound to vfio-pci, if the kernel has
     * cdevs: without them the vfio-dev entry is there too, but without a {@code dev} number.
     */
    public Optional<Path> vfioCdev(PciAddress a) throws VfioException {
        Path dir = deviceDir(a).resolve("vfio-dev");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("vfio") && Files.exists(p.resolve("dev")))
                    .findFirst().map(p -> dev.resolve("vfio/devices/" + p.getFileName()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * The PCI device whose VFIO cdev is the character device {@code major:minor} (the cdev's sysfs
     * directory sits under its device's, and its {@code device} link names it); empty when sysfs does
     * not say so: not a VFIO cdev of a PCI device, or no sysfs here.
     */
    public Optional<PciAddress> deviceOfVfioCdev(int major, int minor) {
        Path cdev = sys.resolve("dev/char/" + major + ":" + minor);
        try {
            if (!cdev.toRealPath().getParent().getFileName().toString().equals("vfio-dev")) {
                return Optional.empty();
            }
            return Optional.of(PciAddress.parse(cdev.resolve("device").toRealPath().getFileName().toString()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The legacy group node, {@code /dev/vfio/N}. */
    public Path vfioGroupNode(int group) {
        return dev.resolve("vfio/" + group);
    }

    /** The device's config space as sysfs gives it (256 bytes to non-root users, 4096 to root). */
    public byte[] readConfig(PciAddress a) throws VfioException {
        try {
            return Files.readAllBytes(deviceDir(a).resolve("config"));
        } catch (IOException e) {
            throw new VfioException("read config", a.toString(), "cannot read config space: " + why(e));
        }
    }

    /**
     * Binds a device to vfio-pci and returns the driver it had ("" if none). Idempotent: a device
     * already on vfio-pci stays there. When vfio-pci does not take it (a bridge, no IOMMU group), the
     * device goes back to the driver it had, and the error says which.
     */
    public String bindToVfioPci(PciAddress a) throws VfioException {
        Path d = deviceDir(a);
        String previous = driver(a).orElse("");
        if (previous.equals(VFIO_PCI)) {
            return previous;
        }
        if (!Files.isDirectory(sys.resolve("bus/pci/drivers/" + VFIO_PCI))) {
            throw new VfioException("bind", a.toString(), "the vfio-pci driver is not loaded; modprobe vfio-pci");
        }
        write(a, "bind", d.resolve("driver_override"), VFIO_PCI);
        String why;
        VfioException cause = null;
        try {
            if (!previous.isEmpty()) {
                write(a, "bind", d.resolve("driver/unbind"), a.toString());
            }
            write(a, "bind", sys.resolve("bus/pci/drivers_probe"), a.toString());
            String now = driver(a).orElse("");
            if (now.equals(VFIO_PCI)) {
                return previous;
            }
            why = "vfio-pci did not take the device (now bound to '" + now + "'); is it a bridge or the IOMMU off? see dmesg";
        } catch (VfioException e) {
            why = e.getMessage();
            cause = e;
        }
        // The override would keep every other driver off the device: clear it first, then give the device back.
        VfioException restoring = null;
        try {
            write(a, "bind", d.resolve("driver_override"), "\n");
            restoreDriver(a, previous);
        } catch (VfioException e) {
            restoring = e;
        }
        VfioException failed = new VfioException("bind", a.toString(), why + "; " + (restoring != null
                ? "could not give it back to " + (previous.isEmpty() ? "no driver" : previous) + ": " + restoring.getMessage()
                : previous.isEmpty() ? "it had no driver" : "given back to " + previous));
        if (cause != null) {
            failed.initCause(cause);
        }
        throw failed;
    }

    /** Unbinds whatever driver a device has and clears its driver_override. */
    public void unbind(PciAddress a) throws VfioException {
        Path d = deviceDir(a);
        if (driver(a).isPresent()) {
            write(a, "unbind", d.resolve("driver/unbind"), a.toString());
        }
        write(a, "unbind", d.resolve("driver_override"), "\n");
    }

    /**
     * Unbinds a device, clears its driver_override and lets the kernel pick a driver again; returns
     * the driver that took it ("" if none did).
     */
    public String reprobe(PciAddress a) throws VfioException {
        unbind(a);
        write(a, "reprobe", sys.resolve("bus/pci/drivers_probe"), a.toString());
        return driver(a).orElse("");
    }

    /** Gives a device back to {@code previous} (or leaves it unbound when that is empty). */
    public void restoreDriver(PciAddress a, String previous) throws VfioException {
        unbind(a);
        if (previous != null && !previous.isEmpty()) {
            write(a, "restore driver", sys.resolve("bus/pci/drivers_probe"), a.toString());
            String now = driver(a).orElse("");
            if (!now.equals(previous)) {
                throw new VfioException("restore driver", a.toString(), "expected " + previous
                        + " to take the device back, but it is bound to '" + now + "'");
            }
        }
    }

    /**
     * Writes a sysfs attribute as root: the file must already exist and be a regular file (sysfs
     * attributes are), is opened without following a symlink and without creating or truncating,
     * and must still be the file that was checked once open. A tree given with --sysfs cannot turn
     * the write into one on a file of its choosing.
     */
    private static void write(PciAddress a, String operation, Path file, String value) throws VfioException {
        try {
            Object checked = attribute(a, operation, file).fileKey();
            try (SeekableByteChannel channel = Files.newByteChannel(file, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                if (!Objects.equals(checked, attribute(a, operation, file).fileKey())) {
                    throw new VfioException(operation, a.toString(), file + " was replaced while being opened; refusing to write to it");
                }
                ByteBuffer bytes = ByteBuffer.wrap(value.getBytes(StandardCharsets.US_ASCII));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            }
        } catch (AccessDeniedException e) {
            throw new VfioException(operation, a.toString(), "permission denied writing " + file + "; run as root");
        } catch (NoSuchFileException e) {
            throw new VfioException(operation, a.toString(), file + " does not exist; is this kernel's sysfs complete?");
        } catch (VfioException e) {
            throw e;
        } catch (IOException e) {
            throw new VfioException(operation, a.toString(), "writing '" + value.trim() + "' to " + file
                    + " failed: " + e.getMessage() + " (is the device in use?)");
        }
    }

    /** The attributes of a file about to be written: refused unless it is a regular file, and not a symlink. */
    private static BasicFileAttributes attribute(PciAddress a, String operation, Path file) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            throw new VfioException(operation, a.toString(), file + " is a symbolic link, not a sysfs attribute; refusing"
                    + " to write through it (is --sysfs a tree someone else can change?)");
        }
        if (!attrs.isRegularFile()) {
            throw new VfioException(operation, a.toString(), file + " is not a regular file, as sysfs attributes are;"
                    + " refusing to write to it");
        }
        return attrs;
    }

    private static int hex(Path file) throws VfioException {
        try {
            String s = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return Integer.parseUnsignedInt(s.startsWith("0x") ? s.substring(2) : s, 16);
        } catch (IOException | NumberFormatException e) {
            throw new VfioException("read", file.toString(), "unreadable sysfs attribute: "
                    + (e instanceof IOException io ? why(io) : e.getMessage()));
        }
    }

    /** What went wrong with a file, in errno words: NIO's exceptions for ENOENT and EACCES carry only the path. */
    private static String why(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "ENOENT (no such file: " + e.getMessage() + ")";
        }
        if (e instanceof AccessDeniedException) {
            return "EACCES (permission denied: " + e.getMessage() + "); run as root";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
