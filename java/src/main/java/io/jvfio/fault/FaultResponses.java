package io.jvfio.fault;

import io.jvfio.internal.FaultConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A flyweight over the responses of one batch (struct iommu_hwpt_page_response, layout from C),
 * written in place into a reused direct buffer and sent with one
 * {@link io.jvfio.iommufd.FaultQueue#respond}: no object per answer.
 */
public final class FaultResponses {
    /** sizeof(struct iommu_hwpt_page_response): the bytes of one response. */
    public static final int SIZE = FaultConstants.RESPONSE_SIZE;
    /** Field offsets in a response, from C: for code that writes or reads responses without this class. */
    public static final int COOKIE = FaultConstants.RESPONSE_COOKIE;
    public static final int CODE = FaultConstants.RESPONSE_CODE;

    private final ByteBuffer buffer;
    private int count;

    private FaultResponses(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** Room for {@code capacity} responses in a direct buffer in native order. */
    public static FaultResponses allocate(int capacity) {
        if (capacity < 1 || capacity > Integer.MAX_VALUE / SIZE) {
            throw new IllegalArgumentException("room for 1.." + Integer.MAX_VALUE / SIZE + " fault responses (" + SIZE
                    + " bytes each), not " + capacity);
        }
        return new FaultResponses(ByteBuffer.allocateDirect(capacity * SIZE).order(ByteOrder.nativeOrder()));
    }

    /** The buffer to write from. */
    public ByteBuffer buffer() {
        return buffer;
    }

    public int capacity() {
        return buffer.capacity() / SIZE;
    }

    /** How many responses were added since {@link #clear()}. */
    public int count() {
        return count;
    }

    public void clear() {
        count = 0;
    }

    /** Appends the answer to the group with {@code cookie}. */
    public void add(int cookie, FaultResponse answer) {
        if (count == capacity()) {
            throw new IllegalStateException("no room for a response " + (count + 1) + " in " + this);
        }
        int at = count * SIZE;
        buffer.putInt(at + COOKIE, cookie);
        buffer.putInt(at + CODE, answer.code());
        count++;
    }

    public int cookie(int i) {
        return buffer.getInt(i * SIZE + COOKIE);
    }

    /** IOMMUFD_PAGE_RESP_* of response {@code i}. */
    public int code(int i) {
        return buffer.getInt(i * SIZE + CODE);
    }

    @Override
    public String toString() {
        return "fault responses (" + count + " of " + capacity() + ")";
    }
}
