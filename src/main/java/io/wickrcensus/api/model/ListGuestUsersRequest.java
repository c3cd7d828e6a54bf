package io.wickrcensus.api.model;

/** Parameters of ListGuestUsers; {@code null} leaves a parameter out of the query. */
public record ListGuestUsersRequest(
        String networkId,
        Integer maxResults,
        String nextToken,
        String sortFields,
        SortDirection sortDirection,
        String username,
        String billingPeriod) {

    public static Builder builder(String networkId) {
        return new Builder(networkId);
    }

    public ListGuestUsersRequest withNextToken(String token) {
        return new ListGuestUsersRequest(networkId, maxResults, token, sortFields, sortDirection, username, billingPeriod);
    }

    public static final class Builder {
        private final String networkId;
        private Integer maxResults;
        private String nextToken;
        private String sortFields;
        private SortDirection sortDirection;
        private String username;
        private String billingPeriod;

        private Builder(String networkId) {
            this.networkId = networkId;
        }

        public Builder maxResults(Integer v) { this.maxResults = v; return this; }
        public Builder nextToken(String v) { this.nextToken = v; return this; }
        public Builder sortFields(String v) { this.sortFields = v; return this; }
        public Builder sortDirection(SortDirection v) { this.sortDirection = v; return this; }
        public Builder username(String v) { this.username = v; return this; }
        public Builder billingPeriod(String v) { this.billingPeriod = v; return this; }

        public ListGuestUsersRequest build() {
            return new ListGuestUsersRequest(networkId, maxResults, nextToken, sortFields, sortDirection, username, billingPeriod);
        }
    }
}
