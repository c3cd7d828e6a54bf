package io.wickrcensus.api.errors;

/** {@code UnauthorizedError} (HTTP 401). The request carried no usable authentication; not retried. */
public final class UnauthorizedException extends WickrException {
    public static final String ERROR_NAME = "UnauthorizedError";

    UnauthorizedException(Builder b) {
        super(b);
    }
}
