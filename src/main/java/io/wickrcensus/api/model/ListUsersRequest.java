package io.wickrcensus.api.model;

/**
 * Parameters of ListUsers. Only {@code networkId} is required; {@code null} leaves a parameter out
 * of the query. {@code sortFields} joins several fields with '+', as the contract does.
 */
public record ListUsersRequest(
        String networkId,
        Integer maxResults,
        String nextToken,
        String sortFields,
        SortDirection sortDirection,
        String firstName,
        String lastName,
        String username,
        Integer status,
        String groupId) {

    public static Builder builder(String networkId) {
        return new Builder(networkId);
    }

    public ListUsersRequest withNextToken(String token) {
        return new ListUsersRequest(networkId, maxResults, token, sortFields, sortDirection,
                firstName, lastName, username, status, groupId);
    }

    public static final class Builder {
        private final String networkId;
        private Integer maxResults;
        private String nextToken;
        private String sortFields;
        private SortDirection sortDirection;
        private String firstName;
        private String lastName;
        private String username;
        private Integer status;
        private String groupId;

        private Builder(String networkId) {
            this.networkId = networkId;
        }

        public Builder maxResults(Integer v) { this.maxResults = v; return this; }
        public Builder nextToken(String v) { this.nextToken = v; return this; }
        public Builder sortFields(String v) { this.sortFields = v; return this; }
        public Builder sortDirection(SortDirection v) { this.sortDirection = v; return this; }
        public Builder firstName(String v) { this.firstName = v; return this; }
        public Builder lastName(String v) { this.lastName = v; return this; }
        public Builder username(String v) { this.username = v; return this; }
        public Builder status(Integer v) { this.status = v; return this; }
        public Builder groupId(String v) { this.groupId = v; return this; }

        public ListUsersRequest build() {
            return new ListUsersRequest(networkId, maxResults, nextToken, sortFields, sortDirection,
                    firstName, lastName, username, status, groupId);
        }
    }
}
