package io.wickrcensus.api.errors;

import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The endpoint answered with something that is not the Wickr Admin API: an HTML page where the
 * API answers JSON (a wrong {@code --endpoint}, a proxy's page, a website). Not retried: the
 * endpoint is misconfigured, not failing for a moment.
 */
public final class NotTheApiException extends SdkClientException {

    private NotTheApiException(SdkClientException.Builder b) {
        super(b);
    }

    public static NotTheApiException of(String message) {
        return new NotTheApiException(SdkClientException.builder().message(message));
    }
}
