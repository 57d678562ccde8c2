package io.jvfio.testing.junit;

/** The IOMMU of a {@link VfioGuest} guest: one of the machines jvfio's harness boots (its "profiles"). */
public enum GuestIommu {
    /**
     * An emulated Intel VT-d (QEMU's intel-iommu, interrupt remapping on), booted with
     * {@code intel_iommu=on iommu=nopt}: the devices sit in IOMMU groups and bind to vfio-pci.
     */
    INTEL("vfio"),
    /**
     * No IOMMU ({@code intel_iommu=off}): iommufd's selftest mock is the only one, the fault source
     * for I/O page-fault tests (Linux 6.12's mock refuses to bind while VT-d is active). The devices
     * are there but cannot be bound to VFIO.
     */
    MOCK("iopf");

    private final String profile;

    GuestIommu(String profile) {
        this.profile = profile;
    }

    /** The harness's name for this machine: {@code guest-exec.sh --profile}. */
    String profile() {
        return profile;
    }
}
