package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** A guest user (an external user from a federated network) seen in one billing period. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record GuestUser(String billingPeriod, String username, String usernameHash) {
    @Override
    public String toString() {
        return "GuestUser[billingPeriod=" + billingPeriod + ", usernameHash=" + usernameHash + "]";
    }
}
