package io.jvfio.fault;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one read's fault records into one response per group: groups are runs of records with the
 * same cookie, ended by LAST_PAGE (the kernel never splits a group across reads). Every group gets
 * exactly one response whatever the policy does: an exception, an Error (StackOverflowError,
 * OutOfMemoryError...) or no answer gets the group INVALID, counted as a policy error (but for the
 * SUCCESS that a map through the loop's offer sent, which stands). The answers
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
        return process(records, responses, null);
    }

    /**
     * {@link #process(FaultRecords, FaultResponses)}, offering the policy of the batch's last group
     * {@code offer} (when not null): its answer goes into {@code responses} as SUCCESS before the
     * policy is asked, so that a map through the offer can send the batch's answers with it.
     */
    int process(FaultRecords records, FaultResponses responses, MapThenAnswer offer) {
        return answer(records, responses, true, offer);
    }

    /**
     * Answers every group INVALID without asking the policy: for faults read after the loop failed,
     * which must still be answered and must not reach a policy that may be what failed.
     */
    int refuse(FaultRecords records, FaultResponses responses) {
        return answer(records, responses, false, null);
    }

    private int answer(FaultRecords records, FaultResponses responses, boolean ask, MapThenAnswer offer) {
        responses.clear();
        policyErrors = 0;
        int success = 0;
        int start = 0;
        int count = records.count();
        for (int i = 0; i < count; i++) {
            if (!records.endsGroup(i)) {
                continue;
            }
            FaultResponse answer;
            if (!ask) {
                answer = FaultResponse.INVALID;
                responses.add(records.cookie(i), answer);
            } else if (offer == null || i != count - 1) {
                group.reset(records, start, i - start + 1);
                answer = resolve();
                responses.add(records.cookie(i), answer);
            } else {
                responses.add(records.cookie(i), FaultResponse.SUCCESS);
                group.reset(records, start, i - start + 1, offer);
                int errorsBefore = policyErrors;
                answer = resolve();
                group.reset(records, start, i - start + 1);
                if (offer.answered()) {
                    answer = sentSuccess(answer, policyErrors > errorsBefore);
                }
                responses.answer(responses.count() - 1, answer);
            }
            if (answer == FaultResponse.SUCCESS) {
                success++;
            }
            start = i + 1;
        }
        int groups = responses.count();
        stats.addAnswers(success, groups - success, policyErrors);
        return groups;
    }

    /**
     * The answer of a group whose SUCCESS a map through the loop's offer sent: a policy that says
     * otherwise (and did not fail, which is counted already) broke its contract.
     */
    private FaultResponse sentSuccess(FaultResponse answer, boolean failed) {
        if (answer != FaultResponse.SUCCESS && !failed) {
            policyFailed(new IllegalStateException("the fault policy answered " + answer + " after a map through"
                    + " FaultGroup.tryMap had sent SUCCESS"));
        }
        return FaultResponse.SUCCESS;
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
            LOG.error("fault policy failed on {}; answering INVALID, unless its map through the loop had sent SUCCESS"
                    + " (logged once, counted always)", group, t);
        }
    }
}
