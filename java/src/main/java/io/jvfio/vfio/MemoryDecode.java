package io.jvfio.vfio;

import io.jvfio.VfioException;
import io.jvfio.pci.PciCapabilities;
import java.util.List;

/**
 * Whether a device's BARs answer, as vfio-pci decides it (vfio_pci_config.c,
 * {@code __vfio_pci_memory_enabled}): not while Memory Space is clear in the COMMAND value it keeps,
 * nor while the device is in D3hot. A config write that turns either off makes vfio-pci tear down
 * every BAR mapping, and the next touch of one gets SIGBUS, which HotSpot does not forgive in the C
 * accessor: the JVM dies. So a config write that may turn decoding off (one that touches COMMAND's
 * low byte or the PM control register) holds the device's MMIO: it waits for the accesses in flight,
 * keeps new ones and new mappings out, writes, learns the new state and lets them go; an access while
 * decoding is off throws instead of touching the BAR.
 * <p>
 * Memory Space is taken from the value written, as vfio-pci keeps it: a read of COMMAND shows the
 * hardware's bit, which vfio-pci sets for a moment around MSI set-ups and ROM probes. It is read from
 * the device only before the first write. A virtual function (SR-IOV) has no Memory Space bit of its
 * own, and vfio-pci ignores it. The power state is read back after a PM write and a reset (which
 * leaves the device in D0): vfio-pci decides from the state the device reached.
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
    /** The rest guarded by this object's lock. */
    private boolean known;
    /** Memory Space as vfio-pci keeps it (always on for a virtual function). */
    private boolean memorySpace;
    private boolean virtualFunction;
    private int powerState;
    /**
     * The PM control register's offset, 0 when the device has none, -1 until looked up. Looked up
     * without this object's lock (the lookup takes the device's, which comes first); any thread may.
     */
    private volatile int pmControl = -1;

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

    /** Learns the state from the device, once, before the first mapping. */
    synchronized void learn() throws VfioException {
        if (!known) {
            PciConfigSpace config = device.pciConfig();
            virtualFunction = device.isVirtualFunction();
            memorySpace = virtualFunction || (config.read16(PciConfigSpace.COMMAND) & COMMAND_MEMORY) != 0;
            powerState = readPowerState();
            known = true;
            decide();
        }
    }

    @Override
    public void write(int offset, int length, PciConfigSpace.ConfigWrite write) throws VfioException {
        int pm = pmControl();
        boolean command = covers(offset, length, PciConfigSpace.COMMAND);
        boolean power = pm > 0 && covers(offset, length, pm);
        if (!command && !power) {
            write.run(); // cannot turn decoding off: no lock, no wait
            return;
        }
        synchronized (device) { // no mapping is made meanwhile, so every one is held below
            synchronized (this) {
                learn();
                List<Mmio> mappings = device.openMappings();
                long[] stamps = new long[mappings.size()];
                holding = true;
                int held = 0;
                try {
                    for (; held < stamps.length; held++) {
                        stamps[held] = mappings.get(held).holdAccesses();
                    }
                    byte[] written = write.run();
                    if (command && !virtualFunction) {
                        memorySpace = (written[PciConfigSpace.COMMAND - offset] & COMMAND_MEMORY) != 0;
                    }
                    if (power) {
                        powerState = readPowerState();
                    }
                    decide();
                } catch (Throwable e) {
                    // The write may have gone through: refuse until a write or reset says otherwise.
                    off = "whether the device decodes its BARs is unknown: a config write at 0x" + Integer.toHexString(offset)
                            + " failed (" + e.getMessage() + ")";
                    throw e;
                } finally {
                    for (int i = 0; i < held; i++) {
                        mappings.get(i).releaseAccesses(stamps[i]);
                    }
                    holding = false;
                }
            }
        }
    }

    /** After a reset, which leaves the device in D0 and Memory Space as vfio-pci kept it. */
    void resetDone() throws VfioException {
        synchronized (device) { // the device's lock before this one's, as everywhere: a config write holds both
            synchronized (this) {
                if (known) {
                    powerState = readPowerState();
                    decide();
                }
            }
        }
    }

    private void decide() {
        if (!memorySpace) {
            off = "the device's memory decoding is off (a config write cleared Memory Space, bit 1 of COMMAND): vfio-pci"
                    + " unmapped its BARs and a touch would kill the JVM; set the bit again with a config write first";
        } else if (powerState == D3HOT) {
            off = "the device is in D3hot (its PM control register says so): vfio-pci unmapped its BARs and a touch would"
                    + " kill the JVM; put it back in D0 with a config write first";
        } else {
            off = null;
        }
    }

    private int readPowerState() throws VfioException {
        int pm = pmControl();
        return pm > 0 ? device.pciConfig().read16(pm) & PM_STATE : 0;
    }

    private static boolean covers(int offset, int length, int at) {
        return offset <= at && at < (long) offset + length;
    }

    private int pmControl() throws VfioException {
        int pm = pmControl;
        if (pm < 0) {
            PciCapabilities capabilities = device.pciConfig().capabilities();
            pm = capabilities.find(PciCapabilities.CAP_PM).stream().map(cap -> cap + PM_CONTROL).findFirst().orElse(0);
            pmControl = pm;
        }
        return pm;
    }
}
