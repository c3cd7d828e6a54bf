package io.wickrcensus.api.errors;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** One field-level reason of a ValidationError. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ValidationReason(String field, String reason) {
    @Override
    public String toString() {
        return field + ": " + reason;
    }
}
