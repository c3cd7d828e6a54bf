package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
public record ListGuestUsersResponse(String nextToken, List<GuestUser> guestlist) {
    public ListGuestUsersResponse {
        guestlist = guestlist == null ? List.of() : guestlist;
    }
}
