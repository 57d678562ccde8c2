package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one read's fault records into one response per group: groups are runs of records with the
 * same cookie, ended by LAST_PAGE (the kernel never splits a group across reads). Every group gets
 * exactly one response, also when the policy throws. Pure logic over buffers, so it is tested on
 * the host; the loop around it does the I/O.
 */
final class FaultBatchProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(FaultBatchProcessor.class);

    private final FaultPolicy policy;
    private final FaultRecords records = new FaultRecords();
    private final FaultGroup group = new FaultGroup();
    private boolean loggedPolicyError;

    int groups;
    int success;
    int invalid;
    int policyErrors;

    FaultBatchProcessor(FaultPolicy policy) {
        this.policy = policy;
    }

    /** Writes the responses for {@code count} records into {@code responses}; returns how many. */
    int process(ByteBuffer recordBuffer, int count, ByteBuffer responses) {
        records.reset(recordBuffer, count);
        groups = 0;
        success = 0;
        invalid = 0;
        policyErrors = 0;
        int start = 0;
        for (int i = 0; i < count; i++) {
            boolean last = records.lastPage(i) || i + 1 == count || records.cookie(i + 1) != records.cookie(i);
            if (!last) {
                continue;
            }
            group.reset(records, start, i - start + 1);
            FaultResponse answer = resolve();
            int at = groups * FaultConstants.RESPONSE_SIZE;
            responses.putInt(at + FaultConstants.RESPONSE_COOKIE, records.cookie(i));
            responses.putInt(at + FaultConstants.RESPONSE_CODE, answer.code());
            groups++;
            start = i + 1;
        }
        return groups;
    }

    private FaultResponse resolve() {
        FaultResponse answer;
        try {
            answer = policy.resolve(group);
            if (answer == null) {
                throw new IllegalStateException("the fault policy returned no answer");
            }
        } catch (Exception | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            policyErrors++;
            if (!loggedPolicyError) {
                loggedPolicyError = true;
                LOG.error("fault policy failed on {}; answering INVALID (logged once, counted always)", group, e);
            }
            answer = FaultResponse.INVALID;
        }
        if (answer == FaultResponse.SUCCESS) {
            success++;
        } else {
            invalid++;
        }
        return answer;
    }
}
