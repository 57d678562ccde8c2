package io.jvfio.fault;

import io.jvfio.memory.DmaMapper;

/**
 * A fault loop's offer to the policy resolving the last group of a batch: the map that makes that
 * group SUCCESS, the write of the batch's answers and the read of the next batch in one native call
 * ({@link io.jvfio.iommufd.FaultQueue.Claim#mapRespondAndRead}), where a policy that maps otherwise
 * pays a crossing of its own per fault. The batch's answers are in place before the policy is asked,
 * that group's as SUCCESS, so the offer needs nothing but the map; the policy reaches it through
 * {@link FaultGroup#tryMap}.
 */
interface MapThenAnswer {
    /**
     * Maps as {@code mapper.tryMap} does and returns what it returns, 0 or -errno; when it mapped
     * through a mapper the loop can map through (an {@link io.jvfio.iommufd.IoAddressSpace}), the
     * batch's answers are out ({@link #answered()}) and the group's answer is SUCCESS, whatever the
     * policy returns.
     */
    long tryMapThenAnswer(DmaMapper mapper, long va, long length, long iova, int accessMask);

    /** Whether a map through this offer sent the batch's answers (since the loop last reset it). */
    boolean answered();
}
