package io.wickrcensus.api.errors;

/** {@code RateLimitError} (HTTP 429): throttling, retried with the SDK's throttling backoff. */
public final class RateLimitException extends WickrException {
    public static final String ERROR_NAME = "RateLimitError";

    RateLimitException(Builder b) {
        super(b);
    }

    @Override
    public boolean isThrottlingException() {
        return true;
    }
}
