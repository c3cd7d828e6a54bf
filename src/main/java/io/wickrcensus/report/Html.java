package io.wickrcensus.report;

import java.util.List;

/**
 * Builds the self-contained HTML pages: inline CSS, inline SVG, no script and no fetch, laid out
 * for the screen and for print.
 */
final class Html {

    /** Lists longer than this show their first rows only; CSV and JSON always hold every row. */
    static final int MAX_LIST_ROWS = 1000;

    private static final String CSS = """
            :root { color-scheme: light; }
            body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
                   color: #1a202c; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
            h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
            h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #cbd5e0; padding-bottom: .25rem; }
            h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; }
            .meta { color: #4a5568; margin: 0 0 1rem; }
            .badge { display: inline-block; padding: 0 .5rem; border-radius: .75rem; font-size: .8rem; font-weight: 600; }
            .final { background: #c6f6d5; color: #22543d; }
            .provisional { background: #feebc8; color: #7b341e; }
            table { border-collapse: collapse; margin: .5rem 0 1rem; }
            th, td { text-align: left; padding: .2rem .75rem .2rem 0; border-bottom: 1px solid #edf2f7; vertical-align: top; }
            th { color: #4a5568; font-weight: 600; }
            td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
            code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
            .note { color: #4a5568; font-size: .9rem; }
            .cut, .alert { background: #fffaf0; border-left: 4px solid #dd6b20; padding: .4rem .75rem; margin: .5rem 0 1rem; }
            .headline { margin: .75rem 0 1rem; }
            .headline .figure { display: block; font-size: 3.5rem; font-weight: 700; line-height: 1.1; font-variant-numeric: tabular-nums; }
            .headline .what { font-size: 1.05rem; color: #2d3748; }
            .hash { font-size: .85rem; color: #2d3748; }
            .hash code { word-break: break-all; }
            svg.chart { display: block; max-width: 100%; height: auto; }
            svg.chart text { font: 11px system-ui, sans-serif; fill: #4a5568; }
            svg.chart .bar { fill: #2b6cb0; }
            svg.chart .bar.current { fill: #dd6b20; }
            svg.chart .bar.provisional { fill-opacity: .45; stroke-dasharray: 4 3; stroke-width: 1.5; stroke: #2b6cb0; }
            svg.chart .bar.current.provisional { stroke: #dd6b20; }
            svg.chart .nodata { fill: none; stroke: #718096; stroke-width: 1; stroke-dasharray: 3 3; }
            svg.chart text.nodata-label { fill: #718096; font-style: italic; }
            svg.chart .axis { stroke: #a0aec0; stroke-width: 1; }
            @media print {
              body { margin: 0; max-width: none; font-size: 11px; }
              h2 { break-after: avoid; }
              table { page-break-inside: auto; }
              tr { break-inside: avoid; }
            }
            """;

    private final StringBuilder b = new StringBuilder(16 * 1024);

    Html(String title) {
        b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
    }

    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = value.toString();
        StringBuilder o = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> o.append("&lt;");
                case '>' -> o.append("&gt;");
                case '&' -> o.append("&amp;");
                case '"' -> o.append("&quot;");
                case '\'' -> o.append("&#39;");
                default -> o.append(ch);
            }
        }
        return o.toString();
    }

    /** Appends markup as is. */
    Html raw(String markup) {
        b.append(markup);
        return this;
    }

    /** An element with escaped text. */
    Html el(String tag, String cssClass, Object text) {
        b.append('<').append(tag);
        if (cssClass != null) {
            b.append(" class=\"").append(cssClass).append('"');
        }
        b.append('>').append(esc(text)).append("</").append(tag).append(">\n");
        return this;
    }

    /** A two-column table of labels and numbers. */
    Html facts(List<String[]> rows) {
        b.append("<table class=\"facts\">\n");
        for (String[] r : rows) {
            b.append("<tr><th>").append(esc(r[0])).append("</th><td class=\"n\">").append(esc(r[1])).append("</td></tr>\n");
        }
        b.append("</table>\n");
        return this;
    }

    /** A table with a header row; at most {@link #MAX_LIST_ROWS} rows, with a note above it when cut. */
    Html table(String cssClass, List<String> header, List<List<Object>> rows) {
        return table(cssClass, header, rows, null);
    }

    /**
     * The same; when cut, the note above the table links {@code fullCsv} (a file name beside the
     * page), where every row is.
     */
    Html table(String cssClass, List<String> header, List<List<Object>> rows, String fullCsv) {
        if (rows.isEmpty()) {
            return el("p", "note", "None.");
        }
        if (rows.size() > MAX_LIST_ROWS) {
            b.append("<p class=\"cut\">").append(esc(String.format(java.util.Locale.ROOT, "Only the first %,d of %,d rows are shown here. ",
                    MAX_LIST_ROWS, rows.size())));
            b.append(fullCsv == null ? "The CSV and JSON formats hold all of them."
                    : "All of them are in <a href=\"" + esc(fullCsv) + "\">" + esc(fullCsv) + "</a> (and the JSON).");
            b.append("</p>\n");
        }
        b.append("<table class=\"").append(cssClass).append("\">\n<thead><tr>");
        header.forEach(h -> b.append("<th>").append(esc(h)).append("</th>"));
        b.append("</tr></thead>\n<tbody>\n");
        int shown = Math.min(rows.size(), MAX_LIST_ROWS);
        for (List<Object> r : rows.subList(0, shown)) {
            b.append("<tr>");
            r.forEach(v -> b.append(v instanceof Number ? "<td class=\"n\">" : "<td>").append(esc(v)).append("</td>"));
            b.append("</tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        return this;
    }

    /**
     * A bar chart of counts per label; the last bar is the current one. A null count is a period
     * no snapshot captured: an outlined "no data" mark, never a bar of zero. A bar whose figure is
     * not final yet ({@code finals} false) is drawn lighter with a dashed outline. A legend says so.
     */
    Html barChart(String title, List<String> labels, List<Long> counts, List<Boolean> finals) {
        int w = 760, h = 290, left = 48, right = 12, top = 24, bottom = 70;
        int n = labels.size();
        long max = counts.stream().filter(v -> v != null).mapToLong(Long::longValue).max().orElse(0);
        long scale = niceCeiling(Math.max(max, 1));
        double slot = (double) (w - left - right) / n;
        double barW = slot * 0.7;
        int plotH = h - top - bottom;
        int base = top + plotH;
        b.append("<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 ").append(w).append(' ').append(h)
                .append("\" width=\"").append(w).append("\" height=\"").append(h).append("\">\n<title>").append(esc(title)).append("</title>\n");
        for (int i = 0; i <= 4; i++) {
            double y = base - plotH * i / 4.0;
            b.append(String.format(java.util.Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" opacity=\"%s\"/>\n",
                    left, y, w - right, y, i == 0 ? "1" : "0.35"));
            b.append(String.format(java.util.Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", left - 6, y + 4,
                    scale * i / 4));
        }
        boolean anyMissing = false;
        boolean anyProvisional = false;
        for (int i = 0; i < n; i++) {
            double x = left + slot * i + (slot - barW) / 2;
            Long v = counts.get(i);
            String label = esc(labels.get(i));
            if (v == null) {
                anyMissing = true;
                double mh = plotH * 0.35;
                b.append(String.format(java.util.Locale.ROOT,
                        "<rect class=\"nodata\" data-period=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%s: no data "
                                + "(no snapshot captured this period)</title></rect>\n", label, x, base - mh, barW, mh, label));
                b.append(String.format(java.util.Locale.ROOT,
                        "<text class=\"nodata-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">no data</text>\n",
                        x + barW / 2, base - mh - 4));
            } else {
                boolean isFinal = finals.get(i);
                anyProvisional |= !isFinal;
                double bh = plotH * (double) v / scale;
                b.append(String.format(java.util.Locale.ROOT,
                        "<rect class=\"bar%s%s\" data-period=\"%s\" data-guests=\"%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                                + "<title>%s: %d (%s)</title></rect>\n",
                        i == n - 1 ? " current" : "", isFinal ? "" : " provisional", label, v, x, base - bh, barW, bh, label, v,
                        isFinal ? "final" : "provisional"));
                b.append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>\n",
                        x + barW / 2, base - bh - 4, v));
            }
            b.append(String.format(java.util.Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    x + barW / 2, base + 16, label));
        }
        // the legend, under the period labels
        double lx = left;
        double ly = h - 22;
        lx = legend(lx, ly, "bar", "final");
        if (anyProvisional) {
            lx = legend(lx, ly, "bar provisional", "provisional (may still change)");
        }
        lx = legend(lx, ly, "bar current", "this period");
        if (anyMissing) {
            legend(lx, ly, "nodata", "no data: no snapshot captured the period");
        }
        b.append("</svg>\n");
        return this;
    }

    private double legend(double x, double y, String cls, String text) {
        b.append(String.format(java.util.Locale.ROOT,
                "<g class=\"legend\"><rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\"/>"
                        + "<text x=\"%.1f\" y=\"%.1f\">%s</text></g>\n", cls, x, y - 9, x + 19, y, esc(text)));
        return x + 19 + text.length() * 6.2 + 18;
    }

    /** The smallest of 1, 2, 4, 6 or 8 times a power of ten that is at least {@code v} and splits into four whole ticks. */
    static long niceCeiling(long v) {
        for (long p = 1; ; p *= 10) {
            for (long m : new long[] {1, 2, 4, 6, 8}) {
                long c = m * p;
                if (c % 4 == 0 && c >= v) {
                    return c;
                }
            }
        }
    }

    String end() {
        return b.append("</body>\n</html>\n").toString();
    }
}
