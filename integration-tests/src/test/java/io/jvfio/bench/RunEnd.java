package io.jvfio.bench;

import io.jvfio.fault.FaultGroup;
import io.jvfio.fault.FaultPolicy;
import io.jvfio.fault.FaultResponse;
import io.jvfio.fault.FaultServiceLoop;
import java.util.concurrent.locks.LockSupport;

/**
 * How a benchmark waits for a Java loop to answer the last group of a run without polling: a policy
 * wrapper wakes the waiting thread when it has resolved the last group, and the waiter spins only
 * for the last write. A thread polling every millisecond instead cost the Java runs (not the C runs,
 * which are timed in the calling thread) a few percent under TCG, where one host thread runs every
 * vCPU in turn and each wake-up of the poller is time the loop's vCPU does not get.
 */
final class RunEnd implements FaultPolicy {
    private final FaultPolicy policy;
    private final long groups;
    private final Thread waiter;
    private long resolved;
    private volatile boolean lastResolved;

    /** Wraps {@code policy} for a run of {@code groups} groups, waited for by the calling thread. */
    RunEnd(FaultPolicy policy, long groups) {
        this.policy = policy;
        this.groups = groups;
        this.waiter = Thread.currentThread();
    }

    @Override
    public FaultResponse resolve(FaultGroup group) throws Exception {
        try {
            return policy.resolve(group);
        } finally {
            if (++resolved == groups) { // the loop's thread is the one writer
                lastResolved = true;
                LockSupport.unpark(waiter);
            }
        }
    }

    /** Returns once {@code loop} has answered every group of the run, or has ended. */
    void await(FaultServiceLoop loop) {
        while (loop.groupsAnswered() < groups && loop.isRunning()) {
            if (lastResolved) {
                Thread.onSpinWait(); // the last batch's write, microseconds
            } else {
                LockSupport.parkNanos(this, 100_000_000);
            }
        }
    }
}
