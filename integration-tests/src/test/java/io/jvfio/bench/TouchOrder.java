package io.jvfio.bench;

import java.util.Random;

/** The order in which a benchmark's device touches the pages of its memory (page numbers from its start). */
final class TouchOrder {
    /** Seeded, so that every run and every loop touches the same pages. */
    private static final long SEED = 42;

    private TouchOrder() {}

    /** Every page, first to last. */
    static int[] sequential(int pages) {
        int[] order = new int[pages];
        for (int i = 0; i < pages; i++) {
            order[i] = i;
        }
        return order;
    }

    /** {@code fraction} of the pages (at least one), each once, in random order. */
    static int[] random(int pages, double fraction) {
        int[] all = sequential(pages);
        Random random = new Random(SEED);
        for (int i = pages - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int count = Math.max(1, (int) Math.round(pages * fraction));
        int[] order = new int[count];
        System.arraycopy(all, 0, order, 0, count);
        return order;
    }
}
