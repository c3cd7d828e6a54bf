package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** Every uname sent appears in exactly one of {@code successful} and {@code failed}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchLookupUserUnameResponse(String message, List<Resolved> successful, List<Failed> failed) {

    public BatchLookupUserUnameResponse {
        successful = successful == null ? List.of() : successful;
        failed = failed == null ? List.of() : failed;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Resolved(String uname, String username) {
        @Override
        public String toString() {
            return "Resolved[uname=" + uname + "]";
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Failed(String uname, String field, String reason) {}
}
