package io.jvfio.testing.junit;

import io.jvfio.pci.PciAddress;
import java.util.List;
import java.util.Locale;

/**
 * The emulated PCI devices a {@link VfioGuest} guest can have, at the addresses jvfio's harness gives
 * them ({@code scripts/guest/guest-exec.sh --devices}); a test reads them from {@link VfioGuestDevices}.
 */
public enum GuestDevice {
    /** An Intel 82574L NIC; an Intel root-complex integrated endpoint, so an IOMMU group of its own. */
    E1000E(new Function("e1000e", "00:03.0")),
    /** QEMU's educational device: a DMA engine, a factorial unit and MSI; jvfio's own DMA tests drive it. */
    EDU(new Function("edu", "00:04.0")),
    /** An NVMe controller over a null block device. */
    NVME(new Function("nvme", "00:05.0")),
    /**
     * An edu at 08.1 beside a virtio-rng at 08.0 in one multi-function slot: one IOMMU group, which
     * virtio-pci (bound to the virtio-rng) makes non-viable for VFIO. Its {@link #address()} is the edu's.
     */
    NON_VIABLE_PAIR(new Function("edu", "00:08.1"), new Function("virtio-rng-pci", "00:08.0"));

    /** One PCI function of a device: QEMU's name for its model ({@code -device NAME}) and its address. */
    public record Function(String qemuDevice, PciAddress address) {
        Function(String qemuDevice, String address) {
            this(qemuDevice, PciAddress.parse(address));
        }
    }

    private final List<Function> functions;

    GuestDevice(Function... functions) {
        this.functions = List.of(functions);
    }

    /** The address of the function a test drives (the first of {@link #functions()}). */
    public PciAddress address() {
        return functions.get(0).address();
    }

    /** Every PCI function the device brings into the guest, the one a test drives first. */
    public List<Function> functions() {
        return functions;
    }

    /** The harness's name for the device, as {@code guest-exec.sh --devices} takes it: e.g. non-viable-pair. */
    String harnessName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
