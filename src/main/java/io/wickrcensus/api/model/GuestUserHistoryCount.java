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

    public Map<String, Long> countsByBillingPeriod() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Month m : history) {
            out.put(m.month().replace('_', '-'), Long.parseLong(m.count().trim()));
        }
        return out;
    }
}
