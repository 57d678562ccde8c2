package io.jvfio;

/** This kernel or this object does not support the operation (ENOTTY, EOPNOTSUPP, ENOSYS). */
public final class VfioUnsupportedException extends VfioException {
    private static final long serialVersionUID = 1L;

    public VfioUnsupportedException(String operation, String object, int errno, String hint) {
        super(operation, object, errno, hint);
    }
}
