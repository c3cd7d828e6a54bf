package io.wickrcensus.api.model;

public enum SortDirection { ASC, DESC }
