package io.wickrcensus.api.errors;

/** {@code ForbiddenError} (HTTP 403). The signature or the credentials were rejected, or the caller may not act on the network; not retried. */
public final class ForbiddenException extends WickrException {
    public static final String ERROR_NAME = "ForbiddenError";

    ForbiddenException(Builder b) {
        super(b);
    }
}
