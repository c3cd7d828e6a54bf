package io.wickrcensus.api.errors;

import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * A 2xx answer whose body is not the JSON the contract promises (truncated, not JSON, or missing a
 * required part). Retried like a transport error: a proxy or a flaky hop produces these, and a
 * retry usually gets a clean answer.
 */
public final class MalformedResponseException extends SdkClientException {

    private MalformedResponseException(SdkClientException.Builder b) {
        super(b);
    }

    public static MalformedResponseException of(String message, Throwable cause) {
        SdkClientException.Builder b = SdkClientException.builder().message(message).cause(cause);
        return new MalformedResponseException(b);
    }
}
