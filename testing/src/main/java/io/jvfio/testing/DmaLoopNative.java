package io.jvfio.testing;

/** Natives of native/testing/dma_loop.c; {@link DmaLoops} is their public face. Natives only. */
final class DmaLoopNative {
    private DmaLoopNative() {}

    static native long containerLoop(int container, long vaddr, long iova, long size, int iterations);

    static native long ioasLoop(int iommufd, int ioas, long vaddr, long iova, long size, int iterations);
}
