package io.jvfio.vfio;

import io.jvfio.internal.NativeConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks the capability chain that follows a VFIO info struct: headers {id, version, next} linked by
 * offsets from the start of the struct. Loop-safe and bounds-checked, so a corrupt chain is an error
 * rather than a hang.
 */
final class VfioCapabilityChain {
    /** One capability: its id, version and the offset of its header in the info bytes. */
    record Capability(int id, int version, int offset) {}

    private VfioCapabilityChain() {}

    static List<Capability> walk(byte[] info, int firstOffset, NativeConstants c) {
        int headerSize = c.sizeOf("vfio_info_cap_header");
        int idAt = c.offsetOf("vfio_info_cap_header", "id");
        int versionAt = c.offsetOf("vfio_info_cap_header", "version");
        int nextAt = c.offsetOf("vfio_info_cap_header", "next");
        ByteBuffer b = ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN);
        List<Capability> caps = new ArrayList<>();
        int offset = firstOffset;
        while (offset != 0) {
            if (offset < 0 || offset + headerSize > info.length || caps.size() > 64) {
                throw new IllegalArgumentException("corrupt VFIO capability chain: offset " + offset
                        + " in " + info.length + " bytes after " + caps.size() + " capabilities");
            }
            caps.add(new Capability(Short.toUnsignedInt(b.getShort(offset + idAt)),
                    Short.toUnsignedInt(b.getShort(offset + versionAt)), offset));
            int next = b.getInt(offset + nextAt);
            if (next != 0 && next <= offset) {
                throw new IllegalArgumentException("corrupt VFIO capability chain: capability at " + offset
                        + " points back to " + next);
            }
            offset = next;
        }
        return caps;
    }
}
