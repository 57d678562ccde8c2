package io.jvfio.vfio;

import io.jvfio.internal.VfioConstants;

/** The fixed region and IRQ indexes of vfio-pci devices (VFIO_PCI_*_INDEX). */
public final class PciIndex {
    public static final int BAR0 = VfioConstants.C.getInt("VFIO_PCI_BAR0_REGION_INDEX");
    public static final int ROM = VfioConstants.C.getInt("VFIO_PCI_ROM_REGION_INDEX");
    public static final int CONFIG = VfioConstants.C.getInt("VFIO_PCI_CONFIG_REGION_INDEX");
    public static final int VGA = VfioConstants.C.getInt("VFIO_PCI_VGA_REGION_INDEX");
    public static final int NUM_REGIONS = VfioConstants.C.getInt("VFIO_PCI_NUM_REGIONS");
    public static final int INTX = VfioConstants.C.getInt("VFIO_PCI_INTX_IRQ_INDEX");
    public static final int MSI = VfioConstants.C.getInt("VFIO_PCI_MSI_IRQ_INDEX");
    public static final int MSIX = VfioConstants.C.getInt("VFIO_PCI_MSIX_IRQ_INDEX");
    public static final int ERR = VfioConstants.C.getInt("VFIO_PCI_ERR_IRQ_INDEX");
    public static final int REQ = VfioConstants.C.getInt("VFIO_PCI_REQ_IRQ_INDEX");

    private PciIndex() {}

    /** BAR n's region index. */
    public static int bar(int n) {
        if (n < 0 || n > 5) {
            throw new IllegalArgumentException("a PCI device has BARs 0..5, not " + n);
        }
        return BAR0 + n;
    }

    /** A readable name for a vfio-pci region index, e.g. "BAR0" or "config". */
    public static String regionName(int index) {
        if (index >= BAR0 && index < BAR0 + 6) {
            return "BAR" + (index - BAR0);
        }
        if (index == ROM) {
            return "ROM";
        }
        if (index == CONFIG) {
            return "config";
        }
        if (index == VGA) {
            return "VGA";
        }
        return "region " + index;
    }

    /** A readable name for a vfio-pci IRQ index, e.g. "MSI". */
    public static String irqName(int index) {
        String[] names = {"INTx", "MSI", "MSI-X", "ERR", "REQ"};
        int[] indexes = {INTX, MSI, MSIX, ERR, REQ};
        for (int i = 0; i < indexes.length; i++) {
            if (indexes[i] == index) {
                return names[i];
            }
        }
        return "IRQ index " + index;
    }
}
