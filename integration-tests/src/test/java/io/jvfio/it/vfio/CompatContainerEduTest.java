package io.jvfio.it.vfio;

import static io.jvfio.it.ProcessMaps.mappingAt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.VfioException;
import io.jvfio.it.GuestDevices;
import io.jvfio.it.IntelIommuGuest;
import io.jvfio.memory.Access;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.vfio.VfioContainer;
import io.jvfio.vfio.VfioDevice;
import io.jvfio.vfio.VfioGroup;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The legacy container API on iommufd ({@code /dev/iommu}, its VFIO compatibility layer), against
 * QEMU's edu behind the Intel vIOMMU. Unlike type1, it pins a mapping's pages only when the first
 * device opens.
 */
@IntelIommuGuest
class CompatContainerEduTest {
    private static final Set<Access> RW = EnumSet.of(Access.READ, Access.WRITE);

    /**
     * A buffer closed between its map and the device's open: its addresses, free again, went to the
     * next mmap, and the open pinned that memory for the device's DMA. The container keeps them
     * reserved (a tombstone, where the pin fails) until the range is unmapped.
     */
    @Test
    void aBufferClosedWhileMappedBeforeTheDeviceOpensKeepsItsAddressesFromBeingPinnedAfresh() throws Exception {
        int groupNumber = GuestDevices.bindToVfio(GuestDevices.EDU);
        try (VfioContainer container = VfioContainer.open("/dev/iommu"); VfioGroup group = VfioGroup.open(groupNumber)) {
            group.setContainer(container);
            container.setType1v2();
            DmaBuffer buffer = DmaBuffer.allocate(4 * 4096);
            long address = buffer.address();
            container.map(buffer, 0xa00000, RW);
            buffer.close();
            assertTrue(mappingAt(address).contains("jvfio-closed"), "the addresses stay reserved: " + mappingAt(address));
            VfioException open = assertThrows(VfioException.class, () -> group.openDevice(GuestDevices.EDU).close());
            assertEquals("EFAULT", open.errnoName(), "the open pins the mapping: " + open.getMessage());
            assertTrue(open.getMessage().contains("a DmaBuffer mapped there was closed before it was unmapped"),
                    open.getMessage());
            assertEquals(buffer.size(), container.unmap(0xa00000, buffer.size()));
            try (VfioDevice device = group.openDevice(GuestDevices.EDU)) {
                assertTrue(device.info().numRegions() > 0, "the device opens once the range is unmapped");
            }
            group.unsetContainer();
        }
    }
}
