package io.wickrcensus.api.errors;

/** {@code InternalServerError} (HTTP 500). A server-side failure; retried with backoff. */
public final class InternalServerException extends WickrException {
    public static final String ERROR_NAME = "InternalServerError";

    InternalServerException(Builder b) {
        super(b);
    }
}
