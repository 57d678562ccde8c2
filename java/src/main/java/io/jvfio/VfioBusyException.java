package io.jvfio;

/** The object is in use (EBUSY): e.g. a group already set to a container, a device opened elsewhere, or a fault queue still attached to a page table. */
public final class VfioBusyException extends VfioException {
    private static final long serialVersionUID = 1L;

    public VfioBusyException(String operation, String object, int errno, String hint) {
        super(operation, object, errno, hint);
    }
}
