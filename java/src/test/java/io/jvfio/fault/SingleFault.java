package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import io.jvfio.internal.UnixConstants;
import java.nio.ByteBuffer;

/** One page request, as the kernel writes it, handed to a demand-map policy as a group of one. */
final class SingleFault {
    private final FaultRecords records = FaultRecords.allocate(1);

    FaultResponse resolve(DemandMapPolicy policy, long iova, int perm) {
        ByteBuffer b = records.buffer();
        b.putInt(FaultConstants.FLAGS, FaultConstants.FLAG_LAST_PAGE);
        b.putInt(FaultConstants.PERM, perm);
        b.putLong(FaultConstants.ADDR, iova);
        b.putInt(FaultConstants.LENGTH, UnixConstants.PAGE_SIZE);
        records.count(1);
        return policy.resolve(FaultGroup.of(records, 0, 1));
    }
}
