package io.jvfio.internal;

import io.jvfio.KernelFeature;
import io.jvfio.KernelVersion;
import io.jvfio.VfioException;
import io.jvfio.VfioUnsupportedException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Failures of ioctls that not every supported kernel has. The shim is compiled against the newest
 * headers, so on an older kernel such an ioctl fails with whatever errno that kernel gives an
 * unknown command or flag (ENOTTY, EOPNOTSUPP or EINVAL); this turns that into a
 * {@link VfioUnsupportedException} naming the version needed and the running one.
 */
public final class KernelSupport {
    /** The running kernel's version, or null when it cannot be read; tests put in another. */
    private static volatile Supplier<KernelVersion> runningKernel = KernelSupport::readRunningKernel;

    private KernelSupport() {}

    private static KernelVersion readRunningKernel() {
        try {
            return KernelVersion.running();
        } catch (UncheckedIOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** For tests: pretend to run on {@code kernel} (null: the version cannot be read); returns the previous source. */
    static Supplier<KernelVersion> pretendRunningKernel(Supplier<KernelVersion> kernel) {
        Supplier<KernelVersion> previous = runningKernel;
        runningKernel = kernel;
        return previous;
    }

    /** Whether the running kernel is known to be older than {@code feature}; false when its version is unknown. */
    public static boolean lacks(KernelFeature feature) {
        KernelVersion kernel = runningKernel.get();
        return kernel != null && !feature.isSupportedBy(kernel);
    }

    /**
     * The exception for an ioctl that needs {@code features} and failed with {@code errno}: a refusal
     * naming the version when the errno is one an older kernel gives for an unknown command or flag
     * and the running kernel is older than some of them; otherwise the errno's own failure with
     * {@code hint} (or the usual one, see {@link Errors#failure(String, String, int, String)}).
     */
    public static VfioException failure(String operation, String object, int errno, String hint, KernelFeature... features) {
        return failureOn(runningKernel.get(), operation, object, errno, hint, features);
    }

    /** {@link #failure} on {@code kernel} (null: its version is unknown). */
    static VfioException failureOn(KernelVersion kernel, String operation, String object, int errno, String hint,
                                   KernelFeature... features) {
        boolean unknownToOldKernels = errno == Errno.ENOTTY || errno == Errno.EOPNOTSUPP || errno == Errno.EINVAL;
        List<KernelFeature> missing = new ArrayList<>();
        if (kernel != null && unknownToOldKernels) {
            for (KernelFeature f : features) {
                if (!f.isSupportedBy(kernel)) {
                    missing.add(f);
                }
            }
        }
        if (missing.isEmpty()) {
            return Errors.failure(operation, object, errno, hint);
        }
        StringBuilder why = new StringBuilder();
        for (KernelFeature f : missing) {
            why.append(f.description()).append(" needs Linux ").append(f.since().major()).append('.')
                    .append(f.since().minor()).append(" or later; ");
        }
        why.append("this kernel is ").append(kernel);
        KernelFeature newest = missing.stream().max(Comparator.comparing(KernelFeature::since)).orElseThrow();
        return new VfioUnsupportedException(operation, object, errno, why.toString(), newest);
    }
}
