package io.wickrcensus.api;

/**
 * Observes the client's HTTP attempts, for metrics and benchmarks. Called from the calling thread;
 * implementations must be thread-safe and quick.
 */
public interface ApiCallListener {

    ApiCallListener NONE = new ApiCallListener() { };

    /**
     * One HTTP attempt ended.
     *
     * @param operation the operation name, such as ListUsers
     * @param status    the HTTP status, or -1 when the transport failed
     * @param nanos     how long the attempt took
     */
    default void attempt(String operation, int status, long nanos) {
    }

    /** An attempt failed and the call will be retried. */
    default void retry(String operation, Throwable cause, boolean throttled) {
    }
}
