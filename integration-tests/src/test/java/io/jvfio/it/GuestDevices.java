package io.jvfio.it;

import io.jvfio.VfioException;
import io.jvfio.pci.PciAddress;
import io.jvfio.pci.PciSysfs;

/** The devices the harness gives every guest (scripts/guest/guest-exec.sh puts them at fixed addresses). */
public final class GuestDevices {
    public static final PciAddress E1000E = PciAddress.parse("0000:00:03.0");
    /** Function 0 of a two-function slot, on virtio-pci: it shares its IOMMU group with {@link #EDU_BESIDE_VIRTIO}. */
    public static final PciAddress VIRTIO_RNG = PciAddress.parse("0000:00:08.0");
    public static final PciAddress EDU_BESIDE_VIRTIO = PciAddress.parse("0000:00:08.1");
    public static final PciAddress EDU = PciAddress.parse("0000:00:04.0");
    public static final PciAddress NVME = PciAddress.parse("0000:00:05.0");
    public static final PciAddress ICH9_LPC = PciAddress.parse("0000:00:1f.0");
    public static final PciAddress ICH9_SATA = PciAddress.parse("0000:00:1f.2");
    /** A slot the harness keeps empty (09.0 is taken when the checkout needs its own 9p share). */
    public static final PciAddress ABSENT = PciAddress.parse("0000:00:0a.0");

    private GuestDevices() {}

    /** Binds a device to vfio-pci (idempotent) and returns its IOMMU group. */
    public static int bindToVfio(PciAddress address) throws VfioException {
        PciSysfs sysfs = PciSysfs.system();
        sysfs.bindToVfioPci(address);
        return sysfs.iommuGroup(address).orElseThrow(() -> new IllegalStateException(address + " has no IOMMU group"));
    }
}
