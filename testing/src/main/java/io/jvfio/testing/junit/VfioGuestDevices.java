package io.jvfio.testing.junit;

import io.jvfio.pci.PciAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The devices a {@link VfioGuest} class asked for, with their addresses in the guest. A test, its
 * constructor or a lifecycle method takes it as a parameter; {@link VfioGuestExtension} supplies it.
 */
public final class VfioGuestDevices {
    private final Set<GuestDevice> requested;
    private final String owner;

    VfioGuestDevices(Collection<GuestDevice> requested, String owner) {
        EnumSet<GuestDevice> inOrder = EnumSet.noneOf(GuestDevice.class);
        inOrder.addAll(requested);
        this.requested = Collections.unmodifiableSet(inOrder);
        this.owner = owner;
    }

    /** The address of a device the class asked for; any other is refused, naming the attribute to add it to. */
    public PciAddress address(GuestDevice device) {
        if (!requested.contains(device)) {
            throw new IllegalArgumentException(device + " is not among the devices " + owner + " asks for in its"
                    + " @VfioGuest (" + (requested.isEmpty() ? "none" : requested) + "): add it to @VfioGuest(devices = ...)");
        }
        return device.address();
    }

    /** The devices the class asked for, in {@link GuestDevice} order. */
    public Set<GuestDevice> requested() {
        return requested;
    }

    @Override
    public String toString() {
        return requested.stream().map(d -> d + " at " + d.address())
                .collect(Collectors.joining(", ", "devices of " + owner + ": ", ""));
    }
}
