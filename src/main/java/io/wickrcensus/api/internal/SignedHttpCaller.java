package io.wickrcensus.api.internal;

import io.wickrcensus.api.ApiCallListener;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.api.errors.MalformedResponseException;
import io.wickrcensus.api.errors.NotTheApiException;
import io.wickrcensus.api.errors.WickrException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;

/**
 * Signs one request with SigV4 (signing name {@code wickr}), sends it over the pooled HTTP
 * client and retries it with the SDK's standard retry strategy.
 *
 * <p>What is retried is the SDK's decision: throttling (429), 500/502/503/504 and transport
 * failures, plus {@link MalformedResponseException}. The strategy's circuit breaker is off: a
 * nightly batch job wants every call to get its full number of attempts, not to fail fast
 * because other calls failed. Logs name the operation, the network, the status and the timing,
 * never headers, bodies or credentials.
 */
public final class SignedHttpCaller implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SignedHttpCaller.class);

    /** What one successful attempt returned. */
    public record Answer(SdkHttpResponse response, byte[] body) { }

    private final WickrClientConfig config;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final boolean ownsCredentials;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final RetryStrategy retryStrategy;
    private final ApiCallListener listener;
    /**
     * The service's time minus this host's: zero until a rejected call's {@code Date} header shows
     * the host clock more than {@link #SKEW_THRESHOLD} off, then kept for every later call (the AWS
     * SDKs correct clock skew the same way).
     */
    private volatile Duration clockOffset = Duration.ZERO;
    static final Duration SKEW_THRESHOLD = Duration.ofMinutes(4);

    public SignedHttpCaller(WickrClientConfig config, SdkHttpClient http, AwsCredentialsProvider credentials,
                            boolean ownsCredentials, ApiCallListener listener) {
        this.config = config;
        this.http = http;
        this.credentials = credentials;
        this.ownsCredentials = ownsCredentials;
        this.listener = listener == null ? ApiCallListener.NONE : listener;
        this.retryStrategy = AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(config.maxAttempts())
                .circuitBreakerEnabled(false)
                .backoffStrategy(BackoffStrategy.exponentialDelay(config.baseDelay(), config.maxBackoff()))
                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelay(config.throttlingBaseDelay(), config.maxBackoff()))
                .retryOnExceptionOrCauseInstanceOf(MalformedResponseException.class)
                .build();
    }

    /**
     * Sends the request, retrying as the strategy allows, and hands the 2xx answer to {@code parse}
     * (whose {@link MalformedResponseException} is retried too).
     */
    public <T> T call(String operation, String networkId, SdkHttpFullRequest request, byte[] body,
                      java.util.function.Function<Answer, T> parse) {
        return call(operation, networkId, request, body, parse, true);
    }

    /**
     * As {@link #call(String, String, SdkHttpFullRequest, byte[], java.util.function.Function)}; a
     * call that is not {@code repeatable} (its effect must happen at most once) is repeated only
     * where the service cannot have carried it out: it was throttled, or never connected. A server
     * error, a timeout, a dropped connection or a malformed answer ends it at once.
     */
    public <T> T call(String operation, String networkId, SdkHttpFullRequest request, byte[] body,
                      java.util.function.Function<Answer, T> parse, boolean repeatable) {
        long deadline = System.nanoTime() + config.apiCallTimeout().toNanos();
        AcquireInitialTokenResponse initial = retryStrategy.acquireInitialToken(AcquireInitialTokenRequest.create(operation));
        RetryToken token = initial.token();
        sleep(initial.delay());
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                T result = parse.apply(attemptOnce(operation, networkId, request, body, false));
                retryStrategy.recordSuccess(RecordSuccessRequest.create(token));
                return result;
            } catch (SdkException failure) {
                if (!repeatable && !notCarriedOut(failure)) {
                    throw withAttempts(failure, attempt);
                }
                RefreshRetryTokenResponse refreshed;
                try {
                    refreshed = retryStrategy.refreshRetryToken(
                            RefreshRetryTokenRequest.builder().token(token).failure(failure).build());
                } catch (TokenAcquisitionFailedException notRetried) {
                    throw withAttempts(failure, attempt);
                }
                token = refreshed.token();
                Duration delay = refreshed.delay();
                if (System.nanoTime() + delay.toNanos() > deadline) {
                    throw ApiCallTimeoutException.builder()
                            .message(operation + (networkId == null ? "" : " on network " + networkId)
                                    + " did not succeed within " + config.apiCallTimeout().toSeconds()
                                    + " s (" + attempt + " attempts); last error: " + failure.getMessage())
                            .cause(failure)
                            .build();
                }
                boolean throttled = failure instanceof SdkServiceException s && s.isThrottlingException();
                listener.retry(operation, failure, throttled);
                if (log.isDebugEnabled()) {
                    log.debug("retrying {} on network {} in {} ms (attempt {} of {}): {}", operation, networkId,
                            delay.toMillis(), attempt + 1, config.maxAttempts(), failure.getMessage());
                }
                sleep(delay);
            }
        }
    }

    /** Whether a failed attempt cannot have been carried out by the service: throttled, or never connected. */
    static boolean notCarriedOut(SdkException failure) {
        if (failure instanceof SdkServiceException s && s.isThrottlingException()) {
            return true;
        }
        for (Throwable c = failure.getCause(); c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static RuntimeException withAttempts(SdkException e, int attempts) {
        if (e instanceof WickrException w) {
            return w.toBuilder().numAttempts(attempts).build();
        }
        if (attempts <= 1) {
            return e;
        }
        String message = e.getMessage() + " (gave up after " + attempts + " attempts)";
        if (e instanceof MalformedResponseException) {
            return MalformedResponseException.of(message, e);
        }
        return SdkClientException.builder().message(message).cause(e).numAttempts(attempts).build();
    }

    /** Error codes that mean clock skew at any status, as the AWS SDKs take them. */
    static final java.util.Set<String> DEFINITE_SKEW_CODES = java.util.Set.of("RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture");
    /** Error codes that mean clock skew when the service's {@code Date} is {@link #SKEW_THRESHOLD} or more off, as the AWS SDKs take them. */
    static final java.util.Set<String> POSSIBLE_SKEW_CODES = java.util.Set.of("InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure");

    /**
     * Signs and sends the request once. A refusal that means clock skew (a skewed node: the
     * signature looks expired or from the future) is signed again with the service's time, from its
     * {@code Date} header, and sent once more, and that offset is kept. As the AWS SDKs do:
     * {@link #DEFINITE_SKEW_CODES} at any status; {@link #POSSIBLE_SKEW_CODES}, a 401 and a 403 when
     * the {@code Date} is {@link #SKEW_THRESHOLD} or more away from this host's corrected clock.
     */
    private Answer attemptOnce(String operation, String networkId, SdkHttpFullRequest request, byte[] body, boolean skewCorrected) {
        AwsCredentialsIdentity identity = credentials.resolveCredentials();
        ContentStreamProvider payload = body == null ? null : ContentStreamProvider.fromByteArrayUnsafe(body);
        Duration offset = clockOffset;
        SignedRequest signed = signer.sign(r -> r.identity(identity)
                .request(request)
                .payload(payload)
                .putProperty(HttpSigner.SIGNING_CLOCK, Clock.offset(Clock.systemUTC(), offset))
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, WickrClientConfig.SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, config.region())
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true));
        long start = System.nanoTime();
        int status = -1;
        try {
            HttpExecuteResponse executed = http.prepareRequest(HttpExecuteRequest.builder()
                    .request(signed.request())
                    .contentStreamProvider(signed.payload().orElse(null))
                    .build()).call();
            SdkHttpResponse response = executed.httpResponse();
            status = response.statusCode();
            byte[] bytes = readBody(executed.responseBody(), response.firstMatchingHeader("Content-Length"));
            notTheApi(operation, signed.request(), response);
            if (!response.isSuccessful()) {
                WickrException error = ErrorResponseParser.parse(operation, networkId, response, bytes);
                Duration corrected = skewCorrected ? null : correctedOffset(response, offset, skewSuspected(error));
                if (corrected != null) {
                    clockOffset = corrected;
                    log.warn("this host's clock is {} s off the Wickr service's (its Date header; the service answered {} {}); signing "
                            + "with the service's time from now on (fix the host's time sync)", -corrected.toSeconds(), status,
                            error.awsErrorDetails().errorCode());
                    return attemptOnce(operation, networkId, request, body, true);
                }
                throw error;
            }
            return new Answer(response, bytes);
        } catch (IOException | UncheckedIOException e) {
            throw SdkClientException.builder()
                    .message(operation + (networkId == null ? "" : " on network " + networkId)
                            + " failed in transport: " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : ": " + e.getMessage()))
                    .cause(e)
                    .build();
        } finally {
            long nanos = System.nanoTime() - start;
            listener.attempt(operation, status, nanos);
            if (log.isDebugEnabled()) {
                log.debug("{} network={} status={} {} ms", operation, networkId, status, nanos / 1_000_000);
            }
        }
    }

    /**
     * Throws {@link NotTheApiException} for an answer no Wickr endpoint gives: a 2xx, or a 4xx other
     * than 429 without an {@code X-Amzn-ErrorType}, whose content type is not JSON (an HTML page).
     * 5xx and 429 pages from a proxy in the way stay retryable.
     */
    private static void notTheApi(String operation, SdkHttpRequest request, SdkHttpResponse response) {
        int status = response.statusCode();
        String type = response.firstMatchingHeader("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
        boolean json = type.isEmpty() || type.contains("json");
        boolean apiError = response.firstMatchingHeader("X-Amzn-ErrorType").isPresent();
        if (!json && (response.isSuccessful() || (status >= 400 && status < 500 && status != 429 && !apiError))) {
            throw NotTheApiException.of(operation + ": " + request.protocol() + "://" + request.host()
                    + (request.port() > 0 ? ":" + request.port() : "") + " answered HTTP " + status + " with "
                    + type.split(";")[0].trim() + ", not the Wickr Admin API's JSON: check --endpoint and --region");
        }
    }

    /** Whether a refusal may be clock skew: {@link Skew#DEFINITE}, {@link Skew#POSSIBLE} or {@link Skew#NO}. */
    static Skew skewSuspected(WickrException error) {
        String code = error.awsErrorDetails().errorCode();
        if (DEFINITE_SKEW_CODES.contains(code)) {
            return Skew.DEFINITE;
        }
        int status = error.statusCode();
        return POSSIBLE_SKEW_CODES.contains(code) || status == 401 || status == 403 ? Skew.POSSIBLE : Skew.NO;
    }

    /** How sure a refusal is to mean clock skew. */
    enum Skew { NO, POSSIBLE, DEFINITE }

    /**
     * The offset to sign with, from the response's {@code Date}: where the refusal is definitely
     * skew, whenever the Date is a second or more off this host's clock corrected by {@code offset};
     * where it possibly is, when it is {@link #SKEW_THRESHOLD} or more off. Null otherwise, or when
     * the response has no Date.
     */
    static Duration correctedOffset(SdkHttpResponse response, Duration offset, Skew suspected) {
        if (suspected == Skew.NO) {
            return null;
        }
        Optional<String> date = response.firstMatchingHeader("Date");
        if (date.isEmpty()) {
            return null;
        }
        Instant service;
        try {
            service = ZonedDateTime.parse(date.get().trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
        Duration skew = Duration.between(Instant.now().plus(offset), service);
        Duration threshold = suspected == Skew.DEFINITE ? Duration.ofSeconds(1) : SKEW_THRESHOLD;
        return skew.abs().compareTo(threshold) >= 0 ? offset.plus(skew) : null;
    }

    /** Bodies up to this size whose length the response states are read into one array of that size. */
    static final int SIZED_BODY_MAX = 16 << 20;

    /**
     * The response's body. One of a stated length is read straight into an array of that length
     * (a ListUsers page, 60 KB: {@code readAllBytes} gathered it in 8 KB pieces and copied them
     * again, a sixth of the paging thread's CPU); a shorter body than stated ends where it ends, as
     * before (the HTTP client reports a connection closed early).
     */
    static byte[] readBody(Optional<? extends InputStream> stream, Optional<String> contentLength) throws IOException {
        if (stream.isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = stream.get()) {
            long stated = contentLength.map(SignedHttpCaller::length).orElse(-1L);
            if (stated < 0 || stated > SIZED_BODY_MAX) {
                return in.readAllBytes();
            }
            byte[] body = new byte[(int) stated];
            int read = in.readNBytes(body, 0, body.length);
            if (read < body.length) {
                return java.util.Arrays.copyOf(body, read);
            }
            byte[] more = in.readAllBytes(); // a body longer than stated is kept whole, as before
            if (more.length == 0) {
                return body;
            }
            byte[] all = java.util.Arrays.copyOf(body, body.length + more.length);
            System.arraycopy(more, 0, all, body.length, more.length);
            return all;
        }
    }

    private static long length(String header) {
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void sleep(Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SdkClientException.create("interrupted while backing off", e);
        }
    }

    @Override
    public void close() {
        http.close();
        if (ownsCredentials && credentials instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.debug("closing the credentials provider failed", e);
            }
        }
    }
}
