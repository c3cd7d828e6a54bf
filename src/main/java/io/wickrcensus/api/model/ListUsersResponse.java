package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
public record ListUsersResponse(String nextToken, List<User> users) {
    public ListUsersResponse {
        users = users == null ? List.of() : users;
    }
}
