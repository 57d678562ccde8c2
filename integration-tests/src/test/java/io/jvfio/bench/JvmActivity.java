package io.jvfio.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What the JVM did beside the measured code: JIT compile time and garbage collections. Under TCG
 * the guest's vCPUs share the host's cores, so a compiler thread still busy after the warm-up runs
 * takes time from the fault loop; printed beside each run to tell such runs apart.
 */
record JvmActivity(long compileMillis, long collections) {
    static JvmActivity now() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compile = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
        long gcs = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcs += Math.max(0, gc.getCollectionCount());
        }
        return new JvmActivity(compile, gcs);
    }

    /** The activity since {@code before}. */
    JvmActivity since(JvmActivity before) {
        return new JvmActivity(compileMillis < 0 ? -1 : compileMillis - before.compileMillis, collections - before.collections);
    }

    @Override
    public String toString() {
        return (compileMillis < 0 ? "JIT time unknown" : "JIT " + compileMillis + " ms") + ", " + collections + " GCs";
    }
}
