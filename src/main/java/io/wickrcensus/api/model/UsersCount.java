package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** GetUsersCount: the service's own totals; {@code total} is active plus pending. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UsersCount(long pending, long active, long rejected, long remaining, long total) {}
