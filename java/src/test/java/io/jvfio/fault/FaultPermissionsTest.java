package io.jvfio.fault;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.FaultConstants;
import io.jvfio.memory.Access;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** IOMMU_PGFAULT_PERM_* decoded, and the response flyweight, in the kernel's layouts. */
class FaultPermissionsTest {
    private static final int R = FaultConstants.PERM_READ;
    private static final int W = FaultConstants.PERM_WRITE;
    private static final int X = FaultConstants.PERM_EXEC;
    private static final int P = FaultConstants.PERM_PRIV;

    @Test
    void aFaultIsAllowedByTheAccessItNeedsAndNeverWhenPrivileged() {
        EnumSet<Access> readOnly = EnumSet.of(Access.READ);
        EnumSet<Access> readWrite = EnumSet.of(Access.READ, Access.WRITE);
        assertTrue(FaultPermissions.allowedBy(R, readOnly));
        assertTrue(FaultPermissions.allowedBy(X, readOnly), "an instruction fetch needs the page readable");
        assertFalse(FaultPermissions.allowedBy(R | W, readOnly));
        assertTrue(FaultPermissions.allowedBy(R | W, readWrite));
        assertFalse(FaultPermissions.allowedBy(W, EnumSet.noneOf(Access.class)));
        assertFalse(FaultPermissions.allowedBy(R | P, readWrite), "privileged DMA is never granted");
        assertEquals("rw-", FaultPermissions.describe(R | W));
        assertEquals("r-xp", FaultPermissions.describe(R | X | P));
    }

    @Test
    void theResponseFlyweightWritesTheKernelsLayoutAndRefusesOverflow() {
        FaultResponses responses = FaultResponses.allocate(2);
        responses.add(7, FaultResponse.SUCCESS);
        responses.add(9, FaultResponse.INVALID);
        assertEquals(2, responses.count());
        assertEquals(7, responses.buffer().getInt(FaultConstants.RESPONSE_COOKIE));
        assertEquals(FaultConstants.RESP_SUCCESS, responses.buffer().getInt(FaultConstants.RESPONSE_CODE));
        assertEquals(9, responses.cookie(1));
        assertEquals(FaultConstants.RESP_INVALID, responses.code(1));
        assertThrows(IllegalStateException.class, () -> responses.add(11, FaultResponse.SUCCESS));
        responses.clear();
        assertEquals(0, responses.count());
    }
}
