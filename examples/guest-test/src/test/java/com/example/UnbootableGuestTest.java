package com.example;

import io.jvfio.testing.junit.VfioGuest;
import org.junit.jupiter.api.Test;

/** A guest whose kernel finds no init: the class must fail on the host, naming why (scripts/example-test.sh). */
@VfioGuest(kernelArgs = "rdinit=/nonexistent", bootTimeoutSeconds = 60)
class UnbootableGuestTest {
    @Test
    void neverRuns() {
        throw new AssertionError("ran although the guest cannot boot");
    }
}
