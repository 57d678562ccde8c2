package io.jvfio;

/** The caller lacks the right (EPERM, EACCES): e.g. not root, /dev/vfio/N not accessible, or the memlock limit. */
public final class VfioPermissionException extends VfioException {
    private static final long serialVersionUID = 1L;

    public VfioPermissionException(String operation, String object, int errno, String hint) {
        super(operation, object, errno, hint);
    }
}
