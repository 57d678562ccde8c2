package io.jvfio.it;

import io.jvfio.testing.junit.GuestDevice;
import io.jvfio.testing.junit.GuestIommu;
import io.jvfio.testing.junit.VfioGuest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The guest of package io.jvfio.it.iopf: no IOMMU but iommufd's selftest mock, the fault source. All the
 * package's classes share one boot per test run (they ask for the same guest). The guest's JVM checks
 * JNI calls, and HangGuard ends it when one test runs for 300 s, naming the test. 300 s per class:
 * the classes sharing the guest add theirs up (2,700 s for the package's nine).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@VfioGuest(devices = {GuestDevice.E1000E, GuestDevice.EDU, GuestDevice.NVME, GuestDevice.NON_VIABLE_PAIR},
        iommu = GuestIommu.MOCK, timeoutSeconds = 300,
        jvmArgs = {"-Xcheck:jni", "-Xshare:auto", "-D" + HangGuard.LIMIT_PROPERTY + "=300",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"})
public @interface MockIommuGuest {}
