package io.jvfio;

/**
 * This kernel or this object does not support the operation (ENOTTY, EOPNOTSUPP, ENOSYS, or a
 * kernel older than the {@link #feature() feature} it needs, whatever errno that kernel gave).
 */
public final class VfioUnsupportedException extends VfioException {
    private static final long serialVersionUID = 1L;

    private final KernelFeature feature;

    public VfioUnsupportedException(String operation, String object, int errno, String hint) {
        this(operation, object, errno, hint, null);
    }

    /** The running kernel is older than {@code feature}'s version; {@code hint} says so. */
    public VfioUnsupportedException(String operation, String object, int errno, String hint, KernelFeature feature) {
        super(operation, object, errno, hint);
        this.feature = feature;
    }

    /** A refusal found by jvfio before any system call, e.g. a device without PASID support. */
    public VfioUnsupportedException(String operation, String object, String problem) {
        super(operation, object, problem);
        this.feature = null;
    }

    /** The kernel feature this kernel is too old for, or null when the kernel's version is not the matter. */
    public KernelFeature feature() {
        return feature;
    }
}
