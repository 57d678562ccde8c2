package io.jvfio;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvfio.internal.OwnedFd;
import io.jvfio.internal.UnixConstants;
import io.jvfio.internal.UnixNative;
import io.jvfio.internal.VfioNative;
import io.jvfio.iommufd.Iommufd;
import io.jvfio.memory.DmaBuffer;
import io.jvfio.vfio.VfioContainer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shim's real error paths on this host: real syscalls, no mocks. */
class ShimErrorsTest {
    @Test
    void aMissingContainerNodeIsEnoentWithAHint() {
        VfioException e = assertThrows(VfioException.class, () -> VfioContainer.open("/nonexistent/vfio/vfio"));
        assertEquals("open", e.operation());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.getMessage().startsWith("open(/nonexistent/vfio/vfio): ENOENT (No such file or directory); "), e.getMessage());
        assertTrue(e.getMessage().contains("modprobe vfio-pci"), e.getMessage());
    }

    @Test
    void aMissingIommufdNodeIsEnoentWithAHint() {
        VfioException e = assertThrows(VfioException.class, () -> Iommufd.open("/nonexistent/iommu"));
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains("CONFIG_IOMMUFD"), e.getMessage());
    }

    @Test
    void aVfioIoctlOnAFileThatIsNotVfioIsEnottyNamingTheIoctl() {
        VfioUnsupportedException e = assertThrows(VfioUnsupportedException.class, () -> VfioContainer.open("/dev/null"));
        assertEquals("VFIO_GET_API_VERSION", e.operation());
        assertEquals("ENOTTY", e.errnoName());
        assertTrue(e.getMessage().contains("container /dev/null"), e.getMessage());
    }

    @Test
    void eventFdsCountSignals() throws Exception {
        try (EventFd e = EventFd.create()) {
            assertEquals(0, e.tryRead(), "nothing signalled yet");
            e.signal(2);
            e.signal(3);
            assertEquals(5, e.tryRead());
            assertEquals(0, e.await(1), "times out when nothing comes");
        }
    }

    @Test
    void closingTwiceIsHarmlessAndUseAfterCloseIsClear() throws Exception {
        OwnedFd fd = new OwnedFd(UnixNative.open("/dev/null", UnixConstants.O_RDWR), "/dev/null");
        fd.close();
        assertDoesNotThrow(fd::close);
        assertThrows(IllegalStateException.class, fd::get);
        IllegalStateException pread = assertThrows(IllegalStateException.class, () -> fd.call("pread", f -> 0));
        assertEquals("cannot pread: /dev/null is closed", pread.getMessage(), "the operation and the object");
        EventFd e = EventFd.create();
        e.close();
        assertDoesNotThrow(e::close);
        IllegalStateException signal = assertThrows(IllegalStateException.class, () -> e.signal(1));
        assertEquals("cannot eventfd write: eventfd is closed", signal.getMessage());
    }

    @Test
    void dmaBuffersArePageAlignedAndRoundedUp() throws Exception {
        try (DmaBuffer b = DmaBuffer.allocate(100)) {
            assertEquals(0, b.address() % UnixConstants.PAGE_SIZE);
            assertEquals(UnixConstants.PAGE_SIZE, b.size());
            b.buffer().put(0, (byte) 42);
            assertEquals(42, b.buffer().get(0));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DmaBuffer.allocate(0));
        assertTrue(e.getMessage().contains("positive size"), e.getMessage());
    }

    @Test
    void aNullPathOrNameIsRefusedInJavaAndTheShimNeverCrashesOnOne() {
        // A null string handed to GetStringUTFChars crashes the JVM: Java refuses it, and the shim
        // refuses one that gets past Java (EINVAL) instead of crashing.
        assertThrows(NullPointerException.class, () -> Iommufd.open(null));
        assertThrows(NullPointerException.class, () -> VfioContainer.open(null));
        assertThrows(NullPointerException.class, () -> DmaBuffer.memfd(null, 4096, false));
        assertEquals(-UnixConstants.C.getInt("EINVAL"), UnixNative.open(null, UnixConstants.O_RDWR));
        assertEquals(-UnixConstants.C.getInt("EINVAL"), UnixNative.memfdCreate(null, 0));
        assertEquals(-UnixConstants.C.getInt("EINVAL"), VfioNative.groupGetDeviceFd(-1, null));
    }

    @Test
    void aMemfdNameLongerThanTheKernelTakesIsRefusedAsSuch() {
        // memfd_create answers EINVAL, which for hugetlb would read as "no huge page support".
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DmaBuffer.memfd("n".repeat(250), 4096, true));
        assertTrue(e.getMessage().contains("at most 249 bytes"), e.getMessage());
        assertDoesNotThrow(() -> DmaBuffer.memfd("n".repeat(249), 4096, false).close());
    }

    @Test
    void aCloseWhileACallIsInFlightClosesTheNumberOnlyWhenTheCallEnds() throws Exception {
        // Were the number closed at once, the kernel could give it to a file opened meanwhile, and
        // the call in flight (a pwrite, say) would land in that file.
        OwnedFd fd = new OwnedFd(UnixNative.open("/dev/null", UnixConstants.O_RDWR), "/dev/null");
        int number = fd.acquire();
        fd.close();
        assertFalse(fd.isOpen());
        assertThrows(IllegalStateException.class, fd::acquire, "no call starts after close");
        Path link = Path.of("/proc/self/fd/" + number);
        assertEquals("/dev/null", Files.readSymbolicLink(link).toString(), "closed under the call in flight");
        fd.release();
        // Another thread may have opened something under the freed number meanwhile: not /dev/null, though.
        assertFalse(Files.exists(link) && Files.readSymbolicLink(link).toString().equals("/dev/null"),
                "the last call's end closes the number");
        assertDoesNotThrow(fd::close);
    }
}
