package io.jvfio.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jvfio.memory.IovaRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnmapListenersTest {
    /**
     * A demand-map policy forgets the range when told; had a listener after it thrown, the unmap ioctl
     * would not run and the policy would have forgotten a mapping that stays.
     */
    @Test
    void aListenerThatThrowsKeepsNeitherTheOthersNorTheUnmapFromGoingOn() {
        UnmapListeners listeners = new UnmapListeners();
        List<IovaRange> before = new ArrayList<>();
        List<IovaRange> after = new ArrayList<>();
        listeners.add(before::add);
        listeners.add(range -> {
            throw new IllegalStateException("a user's listener fails");
        });
        listeners.add(range -> {
            throw new AssertionError("a test's listener fails");
        });
        listeners.add(range -> {
            throw new IllegalStateException() {
                @Override
                public String getMessage() {
                    throw new NullPointerException("a message that cannot be printed");
                }
            };
        });
        listeners.add(after::add);
        assertDoesNotThrow(() -> listeners.unmapping(0x10000, 0x2000), "the unmap goes on");
        IovaRange range = new IovaRange(0x10000, 0x11fff);
        assertEquals(List.of(range), before);
        assertEquals(List.of(range), after);
    }
}
