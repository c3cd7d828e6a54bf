package io.wickrcensus.api.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** GetBotsCount: the network's bots, which the service counts apart from its users. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record BotsCount(long pending, long active, long total) {}
