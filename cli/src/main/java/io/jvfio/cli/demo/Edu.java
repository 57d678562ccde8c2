package io.jvfio.cli.demo;

import io.jvfio.vfio.Mmio;
import java.util.concurrent.TimeUnit;

/**
 * QEMU's edu device (docs/specs/edu.rst): an id register, a liveness register, an interrupt
 * raiser and a DMA engine that copies between an IOVA and its 4 KiB buffer at 0x40000.
 */
public final class Edu {
    public static final int ID = 0x00;
    public static final int LIVENESS = 0x04;
    public static final int IRQ_STATUS = 0x24;
    public static final int IRQ_RAISE = 0x60;
    public static final int IRQ_ACK = 0x64;
    public static final int DMA_SRC = 0x80;
    public static final int DMA_DST = 0x88;
    public static final int DMA_COUNT = 0x90;
    public static final int DMA_CMD = 0x98;
    public static final int DMA_START = 1;
    public static final int DMA_TO_RAM = 2;
    public static final int DMA_IRQ = 4;
    /** The device's own buffer, as the DMA engine addresses it. */
    public static final long BUFFER = 0x40000;
    /** QEMU 7.2's edu aborts on a 4096-byte transfer at its buffer start: stay below it. */
    public static final int MAX_TRANSFER = 4000;

    private final Mmio bar0;

    public Edu(Mmio bar0) {
        this.bar0 = bar0;
    }

    /** RAM (at an IOVA) to the device buffer. */
    public void dmaToDevice(long iova, long deviceOffset, int count) throws InterruptedException {
        dma(iova, BUFFER + deviceOffset, count, 0);
    }

    /** The device buffer to RAM (at an IOVA). */
    public void dmaToRam(long deviceOffset, long iova, int count) throws InterruptedException {
        dma(BUFFER + deviceOffset, iova, count, DMA_TO_RAM);
    }

    private void dma(long src, long dst, int count, int direction) throws InterruptedException {
        if (count <= 0 || count > MAX_TRANSFER) {
            throw new IllegalArgumentException("edu transfers 1.." + MAX_TRANSFER + " bytes, not " + count);
        }
        bar0.write64(DMA_SRC, src);
        bar0.write64(DMA_DST, dst);
        bar0.write64(DMA_COUNT, count);
        bar0.write64(DMA_CMD, DMA_START | direction);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((bar0.read64(DMA_CMD) & DMA_START) != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("edu DMA did not finish in 20 s");
            }
            Thread.sleep(1);
        }
    }
}
