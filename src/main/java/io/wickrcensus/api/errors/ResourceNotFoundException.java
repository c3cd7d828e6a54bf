package io.wickrcensus.api.errors;

/** {@code ResourceNotFoundError} (HTTP 404). The network (or another resource) does not exist; not retried. */
public final class ResourceNotFoundException extends WickrException {
    public static final String ERROR_NAME = "ResourceNotFoundError";

    ResourceNotFoundException(Builder b) {
        super(b);
    }
}
