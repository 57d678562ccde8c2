package io.jvfio.bench;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A latency percentile plot as a small hand-written SVG: the x axis is the percentile on
 * HdrHistogram's usual scale (log of 1 / (1 - p), so 90%, 99%, 99.9% are evenly spaced), the y axis
 * latency in microseconds on a log scale. One line per series.
 */
final class LatencySvg {
    private static final int WIDTH = 720;
    private static final int HEIGHT = 420;
    private static final int LEFT = 70;
    private static final int RIGHT = 200;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;
    /** The x axis runs to 99.99%: 10^-4 of the faults left. */
    private static final double NINES = 4;
    private static final int POINTS = 160;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

    /** One line: a name for the legend, its distribution in ns, dashed or solid. */
    record Series(String name, Histogram latencyNanos, boolean dashed) {}

    private LatencySvg() {}

    static String render(String title, List<Series> series) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (Series s : series) {
            lo = Math.min(lo, Math.max(1, s.latencyNanos().getValueAtPercentile(0)) / 1e3);
            hi = Math.max(hi, s.latencyNanos().getValueAtPercentile(100 * (1 - Math.pow(10, -NINES))) / 1e3);
        }
        double yMin = Math.floor(Math.log10(Math.max(lo, 0.1)));
        double yMax = Math.max(yMin + 1, Math.ceil(Math.log10(Math.max(hi, 0.1))));
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">%s</text>%n", LEFT, escape(title)));
        for (int nine = 0; nine <= NINES; nine++) {
            double x = LEFT + plotW * nine / NINES;
            String label = nine == 0 ? "0%" : percentile(nine);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n",
                    x, TOP, x, TOP + plotH));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x, TOP + plotH + 18, label));
        }
        for (int decade = (int) yMin; decade <= yMax; decade++) {
            double y = TOP + plotH * (yMax - decade) / (yMax - yMin);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n",
                    LEFT, y, LEFT + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 6, y + 4, micros(Math.pow(10, decade))));
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n",
                LEFT, TOP, plotW, plotH));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                LEFT + plotW / 2, HEIGHT - 12));
        svg.append(String.format(Locale.ROOT, "<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">"
                + "read-to-answer latency (log)</text>%n", TOP + plotH / 2, TOP + plotH / 2));
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String color = COLORS[i % COLORS.length];
            StringBuilder points = new StringBuilder();
            for (int k = 0; k <= POINTS; k++) {
                double nines = NINES * k / POINTS;
                double p = 100 * (1 - Math.pow(10, -nines));
                double us = Math.max(1, s.latencyNanos().getValueAtPercentile(p)) / 1e3;
                double y = TOP + plotH * (yMax - Math.log10(Math.max(us, Math.pow(10, yMin)))) / (yMax - yMin);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + plotW * nines / NINES, y));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>%n",
                    color, s.dashed() ? " stroke-dasharray=\"6 4\"" : "", points.toString().trim()));
            int ly = TOP + 10 + 20 * i;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    LEFT + plotW + 12, ly, LEFT + plotW + 36, ly, color, s.dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT + plotW + 42, ly + 4,
                    escape(s.name())));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** 1 nine is "90%", 2 "99%", 3 "99.9%". */
    private static String percentile(int nines) {
        return nines == 1 ? "90%" : "99" + (nines > 2 ? "." + "9".repeat(nines - 2) : "") + "%";
    }

    /** A power of ten of microseconds as "10 us", "1 ms", "1 s". */
    private static String micros(double us) {
        if (us >= 1e6) {
            return String.format(Locale.ROOT, "%.0f s", us / 1e6);
        }
        if (us >= 1e3) {
            return String.format(Locale.ROOT, "%.0f ms", us / 1e3);
        }
        return us >= 1 ? String.format(Locale.ROOT, "%.0f us", us) : String.format(Locale.ROOT, "%.1f us", us);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
