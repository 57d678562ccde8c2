package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.pci.PciCapabilities;
import java.util.List;

/**
 * Whether a device's BARs answer, as vfio-pci decides it (vfio_pci_config.c,
 * {@code __vfio_pci_memory_enabled}): not while Memory Space is clear in the device's virtual COMMAND
 * register, nor while the device is in D3hot. A config write that turns either off makes vfio-pci
 * tear down every BAR mapping, and the next touch of one gets SIGBUS, which HotSpot does not forgive
 * in the C accessor: the JVM dies. So a config write that may turn decoding off (one that touches
 * COMMAND's low byte or the PM control register) holds the device's MMIO: it waits for the accesses
 * in flight, keeps new ones and mappings out, writes, reads the state back and lets them go; an
 * access while decoding is off throws instead of touching the BAR.
 * <p>
 * A reset (VFIO_DEVICE_RESET, an FLR by config write) restores the config space vfio-pci keeps, so
 * decoding is as it was after it. Only writes through this device's {@link PciConfigSpace} and
 * {@link VfioDevice#writeRegion} are seen.
 */
final class MemoryDecode implements PciConfigSpace.WriteGate {
    private static final int COMMAND_MEMORY = 0x2;
    /** PMCSR, in the PM capability; its low two bits are the power state. */
    private static final int PM_CONTROL = 4;
    private static final int PM_STATE = 0x3;
    private static final int D3HOT = 0x3;

    private final VfioDevice device;
    /** Why accesses are refused, or null while the device decodes its BARs. */
    private volatile String off;
    /** True while a config write holds the accesses; an access that sees it waits on this object's lock. */
    private volatile boolean holding;
    /** The PM control register's offset, 0 when the device has none, -1 until looked up; guarded by this. */
    private int pmControl = -1;

    MemoryDecode(VfioDevice device) {
        this.device = device;
    }

    /** Why a BAR access must not be made now, or null when it may. */
    String off() {
        return off;
    }

    /** Called by an access before it takes its mapping's lock: waits out a config write that holds the accesses. */
    void awaitRelease() {
        if (holding) {
            synchronized (this) {
                // Holding the lock is enough: the write holds it for all of its time.
            }
        }
    }

    @Override
    public void write(int offset, int length, PciConfigSpace.ConfigWrite write) throws VfioException {
        synchronized (device) { // no mapping is made meanwhile, so every one is held below
            synchronized (this) {
                if (!mayTurnOff(offset, length)) {
                    write.run();
                    return;
                }
                List<Mmio> mappings = device.openMappings();
                long[] stamps = new long[mappings.size()];
                holding = true;
                int held = 0;
                try {
                    for (; held < stamps.length; held++) {
                        stamps[held] = mappings.get(held).holdAccesses();
                    }
                    write.run();
                } finally {
                    try {
                        refresh();
                    } finally {
                        for (int i = 0; i < held; i++) {
                            mappings.get(i).releaseAccesses(stamps[i]);
                        }
                        holding = false;
                    }
                }
            }
        }
    }

    /** Reads COMMAND (and the PM state) back: what vfio-pci decides from. A failed read refuses accesses. */
    synchronized void refresh() throws VfioException {
        PciConfigSpace config = device.pciConfig();
        try {
            int command = config.read16(PciConfigSpace.COMMAND);
            int pm = pmControl();
            int pmState = pm > 0 ? config.read16(pm) & PM_STATE : 0;
            if ((command & COMMAND_MEMORY) == 0) {
                off = String.format("the device's memory decoding is off (Memory Space, bit 1, is clear in COMMAND 0x%04x):"
                        + " vfio-pci unmapped its BARs and a touch would kill the JVM; set it again with a config write"
                        + " of COMMAND first", command);
            } else if (pmState == D3HOT) {
                off = "the device is in D3hot (its PM control register says so): vfio-pci unmapped its BARs and a touch"
                        + " would kill the JVM; put it back in D0 with a config write first";
            } else {
                off = null;
            }
        } catch (VfioException | RuntimeException e) {
            off = "whether the device decodes its BARs is unknown: reading COMMAND back failed (" + e.getMessage() + ")";
            throw e;
        }
    }

    /** Whether a write of config bytes [offset, offset + length) reaches a bit that decides decoding. */
    private boolean mayTurnOff(int offset, int length) throws VfioException {
        int pm = pmControl();
        return covers(offset, length, PciConfigSpace.COMMAND) || pm > 0 && covers(offset, length, pm);
    }

    private static boolean covers(int offset, int length, int at) {
        return offset <= at && at < (long) offset + length;
    }

    private int pmControl() throws VfioException {
        if (pmControl < 0) {
            PciCapabilities capabilities = device.pciConfig().capabilities();
            pmControl = capabilities.find(PciCapabilities.CAP_PM).stream().map(cap -> cap + PM_CONTROL).findFirst().orElse(0);
        }
        return pmControl;
    }
}
