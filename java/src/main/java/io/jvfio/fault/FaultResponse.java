package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;

/** The answer to a page-request group (enum iommufd_page_response_code). */
public enum FaultResponse {
    /** The page is there now: the device retries the access. */
    SUCCESS,
    /** The access is not allowed: the device gets an error for it. */
    INVALID;

    public int code() {
        return this == SUCCESS ? FaultConstants.RESP_SUCCESS : FaultConstants.RESP_INVALID;
    }
}
