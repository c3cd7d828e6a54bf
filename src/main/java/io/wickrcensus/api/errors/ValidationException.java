package io.wickrcensus.api.errors;

/** {@code ValidationError} (HTTP 422): the request broke the contract; {@link #reasons()} says where. */
public final class ValidationException extends WickrException {
    public static final String ERROR_NAME = "ValidationError";

    ValidationException(Builder b) {
        super(b);
    }
}
