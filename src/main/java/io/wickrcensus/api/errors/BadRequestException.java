package io.wickrcensus.api.errors;

/** {@code BadRequestError} (HTTP 400). A request the service could not parse; not retried. */
public final class BadRequestException extends WickrException {
    public static final String ERROR_NAME = "BadRequestError";

    BadRequestException(Builder b) {
        super(b);
    }
}
