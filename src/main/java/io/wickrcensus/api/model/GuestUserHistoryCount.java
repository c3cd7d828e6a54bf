package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * GetGuestUserHistoryCount. On the wire the month is {@code YYYY_MM} and the count a string;
 * {@link #countsByBillingPeriod()} gives them as {@code YYYY-MM} and numbers.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GuestUserHistoryCount(List<Month> history) {

    public GuestUserHistoryCount {
        history = history == null ? List.of() : history;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Month(String month, String count) {}

    /**
     * The counts by billing period; a month that is not {@code YYYY_MM} or a count that is not a
     * whole number is an {@link IllegalArgumentException} that names the field (the client makes
     * it a malformed answer).
     */
    public Map<String, Long> countsByBillingPeriod() {
        return counts(history);
    }

    private static Map<String, Long> counts(List<Month> history) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < history.size(); i++) {
            Month m = history.get(i);
            String month = m == null ? null : m.month();
            if (month == null || !month.matches("\\d{4}_(0[1-9]|1[0-2])")) {
                throw malformed(i, "month", month, "a month in the form YYYY_MM");
            }
            String count = m.count() == null ? null : m.count().trim();
            if (count == null || !count.matches("\\d{1,18}")) {
                throw malformed(i, "count", m.count(), "a whole number");
            }
            out.put(month.replace('_', '-'), Long.parseLong(count));
        }
        return out;
    }

    private static IllegalArgumentException malformed(int i, String field, String value, String what) {
        return new IllegalArgumentException("history[" + i + "]." + field + " "
                + (value == null ? "missing" : "'" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'") + ", not " + what);
    }
}
