package io.jvfio.testing.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class inside a QEMU guest, with the emulated devices and the IOMMU asked
 * for here, and reports each test's guest result on the host as if it ran there: pass, failure with
 * the guest's message and stack trace, skip with its reason.
 * <p>
 * On the host, {@link VfioGuestExtension} boots one guest for the class through jvfio's harness
 * ({@code scripts/guest/guest-exec.sh}, found through {@code JVFIO_HOME}) and runs the class there
 * with the JUnit Platform, on the host's test class path; no test method, {@code @BeforeEach} or
 * {@code @BeforeAll} method runs on the host. A guest that cannot boot, crashes or times out fails
 * the class with the reason and the path of its serial log. Inside the guest the tests run as usual
 * and may ask for a {@link VfioGuestDevices} parameter to learn their devices' addresses.
 * <pre>{@code
 * @VfioGuest(devices = GuestDevice.EDU)
 * class EduDmaTest {
 *     @Test
 *     void bindsEdu(VfioGuestDevices devices) throws Exception {
 *         PciSysfs.system().bindToVfioPci(devices.address(GuestDevice.EDU));
 *     }
 * }
 * }</pre>
 * The guest shares the host's root file system read-only (the same paths), with a {@code /tmp},
 * {@code /run} and {@code /dev/shm} of its own: class path entries under them are shared into the
 * guest through their top directory there, read-only at the same path; a jar directly in
 * {@code /tmp} is refused.
 * <p>
 * One boot per guest, not per class: when the JUnit Platform runs several classes whose guests are
 * the same (equal attributes, the kernel lane resolved), the first of them boots one guest that runs
 * them all, and each class reports its own results. The annotation may be used as a meta-annotation,
 * so a project can name its guests once ({@code @interface EduGuest}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(VfioGuestExtension.class)
public @interface VfioGuest {
    /** The devices the tests use: the guest has them at the addresses {@link VfioGuestDevices} gives. */
    GuestDevice[] devices() default GuestDevice.EDU;

    /** The guest's IOMMU: an emulated Intel VT-d for VFIO, or none and iommufd's test mock. */
    GuestIommu iommu() default GuestIommu.INTEL;

    /** The kernel lane, "6.12" or "7.2"; empty takes the environment's {@code JVFIO_KERNEL}, else 6.12. */
    String kernel() default "";

    /** The guest's memory, as QEMU's {@code -m} takes it. */
    String memory() default "2G";

    /** Kernel command line arguments added to the harness's own, e.g. {@code "iommu.strict=1"}. */
    String[] kernelArgs() default {};

    /**
     * How long the guest may take, boot included, before it is stopped and the class fails. Classes
     * that share a guest add theirs up: the run of three such classes may take three times this.
     */
    int timeoutSeconds() default 900;

    /**
     * How long the boot may take, until the guest's init is ready to run the tests: a guest that cannot
     * boot (a bad kernel argument, say) fails its classes after this, not after the whole timeout.
     */
    int bootTimeoutSeconds() default 300;

    /** Options for the guest's JVM, e.g. {@code "-Xcheck:jni"}; it also gets {@code -Djvfio.guest.out=} its log directory. */
    String[] jvmArgs() default {};
}
