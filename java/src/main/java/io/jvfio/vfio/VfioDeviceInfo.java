package io.jvfio.vfio;

import io.jvfio.internal.VfioConstants;

/** VFIO_DEVICE_GET_INFO. */
public record VfioDeviceInfo(int rawFlags, int numRegions, int numIrqs) {
    public boolean isPci() {
        return (rawFlags & VfioConstants.C.getInt("VFIO_DEVICE_FLAGS_PCI")) != 0;
    }

    public boolean supportsReset() {
        return (rawFlags & VfioConstants.C.getInt("VFIO_DEVICE_FLAGS_RESET")) != 0;
    }
}
