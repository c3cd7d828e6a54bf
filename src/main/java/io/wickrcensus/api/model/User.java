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

    /** A user from its fields, by their position among the record's components (its readers fill them so). */
    @SuppressWarnings("unchecked")
    public static User of(Object[] v) {
        return new User((String) v[0], (String) v[1], (String) v[2], (String) v[3], (List<String>) v[4], (Boolean) v[5],
                (Boolean) v[6], (Integer) v[7], (Boolean) v[8], (String) v[9], (String) v[10], (String) v[11], (String) v[12],
                (Integer) v[13], (Boolean) v[14], (Boolean) v[15], (Boolean) v[16], (String) v[17]);
    }

    /** The user's fields, by their position among the record's components: what {@link #of} takes. */
    public Object[] fields() {
        return new Object[] {userId, firstName, lastName, username, securityGroups, isAdmin, suspended, status, otpEnabled, scimId, type,
            cell, countryCode, challengeFailures, isInviteExpired, isUser, codeValidation, uname};
    }

    public boolean pending() {
        return status != null && status == STATUS_PENDING;
    }

    @Override
    public String toString() {
        return "User[userId=" + userId + ", personal fields redacted]";
    }
}
