package io.jvfio.fault;

import io.jvfio.internal.FailureLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Turns one read's fault records into one response per group: groups are runs of records with the
 * same cookie, ended by LAST_PAGE (the kernel never splits a group across reads). Every group gets
 * exactly one response whatever the policy does: an exception, an Error (StackOverflowError,
 * OutOfMemoryError...) or no answer gets the group INVALID, counted as a policy error. The answers
 * go into the {@link FaultStats} it is given. Pure logic over buffers, so it is tested on the host;
 * the loop around it does the I/O.
 */
final class FaultBatchProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(FaultBatchProcessor.class);

    private final FaultPolicy policy;
    private final FaultStats stats;
    private final FaultGroup group = new FaultGroup();
    private boolean loggedPolicyError;
    private int policyErrors;

    FaultBatchProcessor(FaultPolicy policy, FaultStats stats) {
        if (policy == null) {
            throw new IllegalArgumentException("a fault loop needs a policy");
        }
        this.policy = policy;
        this.stats = stats;
    }

    /** Answers every group of {@code records} through the policy into {@code responses}; returns how many groups. */
    int process(FaultRecords records, FaultResponses responses) {
        return answer(records, responses, true);
    }

    /**
     * Answers every group INVALID without asking the policy: for faults read after the loop failed,
     * which must still be answered and must not reach a policy that may be what failed.
     */
    int refuse(FaultRecords records, FaultResponses responses) {
        return answer(records, responses, false);
    }

    private int answer(FaultRecords records, FaultResponses responses, boolean ask) {
        responses.clear();
        policyErrors = 0;
        int success = 0;
        int start = 0;
        for (int i = 0; i < records.count(); i++) {
            if (!records.endsGroup(i)) {
                continue;
            }
            group.reset(records, start, i - start + 1);
            FaultResponse answer = ask ? resolve() : FaultResponse.INVALID;
            responses.add(records.cookie(i), answer);
            if (answer == FaultResponse.SUCCESS) {
                success++;
            }
            start = i + 1;
        }
        int groups = responses.count();
        stats.addAnswers(success, groups - success, policyErrors);
        return groups;
    }

    private FaultResponse resolve() {
        try {
            FaultResponse answer = policy.resolve(group);
            if (answer != null) {
                return answer;
            }
            policyFailed(new IllegalStateException("the fault policy returned no answer"));
        } catch (Throwable t) {
            policyFailed(t);
        }
        return FaultResponse.INVALID;
    }

    private void policyFailed(Throwable t) {
        policyErrors++;
        if (!loggedPolicyError) {
            loggedPolicyError = true;
            FailureLog.log(LOG, Level.ERROR, t, "fault policy failed on {}; answering INVALID (logged once, counted always)",
                    group);
        }
    }
}
