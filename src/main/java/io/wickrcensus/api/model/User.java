package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A user of a Wickr network, as ListUsers returns it.
 *
 * <p>Every field of the contract except {@code inviteCode}: that one is a credential (it lets
 * someone register as the user), so the client drops it where the JSON is parsed and nothing
 * downstream can log or store it. {@link #toString()} prints only the user id; names, usernames and
 * phone numbers are personal data.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(value = {"inviteCode"}, ignoreUnknown = true)
public record User(
        String userId,
        String firstName,
        String lastName,
        String username,
        List<String> securityGroups,
        Boolean isAdmin,
        Boolean suspended,
        Integer status,
        Boolean otpEnabled,
        String scimId,
        String type,
        String cell,
        String countryCode,
        Integer challengeFailures,
        Boolean isInviteExpired,
        Boolean isUser,
        Boolean codeValidation,
        String uname) {

    public static final int STATUS_PENDING = 1;
    public static final int STATUS_ACTIVE = 2;

    public User {
        securityGroups = securityGroups == null ? null : List.copyOf(securityGroups);
    }

    public boolean pending() {
        return status != null && status == STATUS_PENDING;
    }

    @Override
    public String toString() {
        return "User[userId=" + userId + ", personal fields redacted]";
    }
}
