package io.wickrcensus.report;

import java.util.Locale;

/** The formats every report is written in. */
public enum ReportFormat {
    CSV, JSON, HTML;

    public static ReportFormat parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--format must be csv, json or html, got '" + s + "'");
        }
    }

    public String extension() {
        return name().toLowerCase(Locale.ROOT);
    }
}
