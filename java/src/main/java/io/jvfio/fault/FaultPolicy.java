package io.jvfio.fault;

/**
 * Decides the answer to a page-request group, e.g. by mapping the faulting pages. Runs on the fault
 * loop's thread; must not keep the group. A policy that throws gets its group answered INVALID.
 */
@FunctionalInterface
public interface FaultPolicy {
    FaultResponse resolve(FaultGroup group) throws Exception;
}
