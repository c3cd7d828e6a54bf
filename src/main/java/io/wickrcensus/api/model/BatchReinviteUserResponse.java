package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** Every user id sent appears in exactly one of {@code successful} and {@code failed}. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BatchReinviteUserResponse(String message, List<Reinvited> successful, List<Failed> failed) {

    public BatchReinviteUserResponse {
        successful = successful == null ? List.of() : successful;
        failed = failed == null ? List.of() : failed;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Reinvited(String userId) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Failed(String userId, String field, String reason) {}
}
