package io.jvfio;

import java.io.IOException;

/**
 * A VFIO, iommufd or supporting system call failed. The message names the operation, the object it
 * was applied to and the errno, plus a hint where the cause is common, e.g.
 * {@code VFIO_DEVICE_GET_REGION_INFO(device 0000:00:04.0, index 7): EINVAL (Invalid argument)}.
 * Subclasses exist only where a caller can act on the kind of failure.
 */
public class VfioException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String object;
    private final int errno;
    private final String hint;

    public VfioException(String operation, String object, int errno, String hint) {
        super(format(operation, object, errno, hint));
        this.operation = operation;
        this.object = object;
        this.errno = errno;
        this.hint = hint;
    }

    /** A failure that is not an errno (e.g. a non-viable group found before any ioctl). */
    public VfioException(String operation, String object, String problem) {
        super(operation + "(" + object + "): " + problem);
        this.operation = operation;
        this.object = object;
        this.errno = 0;
        this.hint = problem;
    }

    /** Builds the exception type a caller can act on for this errno. */
    public static VfioException of(String operation, String object, int errno, String hint) {
        switch (ErrnoNames.name(errno)) {
            case "EBUSY":
                return new VfioBusyException(operation, object, errno, hint);
            case "EPERM":
            case "EACCES":
                return new VfioPermissionException(operation, object, errno, hint);
            case "ENOTTY":
            case "EOPNOTSUPP":
            case "ENOSYS":
                return new VfioUnsupportedException(operation, object, errno, hint);
            default:
                return new VfioException(operation, object, errno, hint);
        }
    }

    private static String format(String operation, String object, int errno, String hint) {
        StringBuilder sb = new StringBuilder(operation);
        if (object != null && !object.isEmpty()) {
            sb.append('(').append(object).append(')');
        }
        sb.append(": ").append(ErrnoNames.describe(errno));
        if (hint != null && !hint.isEmpty()) {
            sb.append("; ").append(hint);
        }
        return sb.toString();
    }

    /** The ioctl or system call, e.g. {@code VFIO_GROUP_GET_STATUS} or {@code open}. */
    public String operation() {
        return operation;
    }

    /** What it was applied to, e.g. {@code group 7} or {@code device 0000:00:04.0}. */
    public String object() {
        return object;
    }

    /** The errno, or 0 when the failure was found by jvfio itself. */
    public int errno() {
        return errno;
    }

    /** The symbolic errno, e.g. {@code EINVAL}; empty when {@link #errno()} is 0. */
    public String errnoName() {
        return errno == 0 ? "" : ErrnoNames.name(errno);
    }

    /** What usually causes this and how to fix it, or null. */
    public String hint() {
        return hint;
    }
}
