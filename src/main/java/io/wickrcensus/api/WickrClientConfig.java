package io.wickrcensus.api;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.EndpointTag;
import software.amazon.awssdk.regions.PartitionEndpointKey;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * Settings of a {@link WickrAdminClient}: where to call, with which credentials, and how patiently.
 *
 * @param region          AWS region; also the SigV4 signing region
 * @param endpoint        endpoint override; {@code null} means the region's endpoint (see {@link #effectiveEndpoint()})
 * @param fips            use the FIPS endpoint ({@code admin.wickr-fips...}); not with an endpoint override
 * @param dualStack       use the dual-stack (IPv4 and IPv6) endpoint; not with an endpoint override
 * @param credentials     credentials provider; {@code null} means the SDK's default chain (environment,
 *                        profiles, web identity, container and instance roles)
 * @param maxAttempts     attempts per call including the first (429, 5xx, transport and malformed answers are retried)
 * @param baseDelay       base of the exponential backoff (full jitter) for errors
 * @param throttlingBaseDelay base of the backoff after a 429
 * @param maxBackoff      the longest single backoff
 * @param connectTimeout  TCP connect timeout
 * @param readTimeout     socket read timeout of one attempt
 * @param apiCallTimeout  the longest a call may take, all attempts and backoffs included
 * @param maxConnections  size of the HTTP connection pool
 */
public record WickrClientConfig(
        String region,
        URI endpoint,
        boolean fips,
        boolean dualStack,
        AwsCredentialsProvider credentials,
        int maxAttempts,
        Duration baseDelay,
        Duration throttlingBaseDelay,
        Duration maxBackoff,
        Duration connectTimeout,
        Duration readTimeout,
        Duration apiCallTimeout,
        int maxConnections) {

    public static final String SIGNING_NAME = "wickr";

    /**
     * An AWS region name: a partition prefix of two to four letters ({@code us}, {@code cn},
     * {@code eusc}), then words and a number ({@code us-gov-west-1}, {@code eusc-de-east-1}).
     */
    public static final java.util.regex.Pattern REGION = java.util.regex.Pattern.compile("[a-z]{2,4}(-[a-z0-9]+)+-\\d+");

    /** Whether {@code region} is the name of an AWS region. */
    public static boolean isRegionName(String region) {
        return region != null && REGION.matcher(region).matches();
    }

    public WickrClientConfig {
        Objects.requireNonNull(region, "region");
        if (!isRegionName(region)) {
            throw new IllegalArgumentException("region '" + region + "' is not an AWS region name such as us-east-1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, got " + maxConnections);
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https")))) {
            throw new IllegalArgumentException("endpoint '" + endpoint + "' is not an http(s) URL");
        }
        if (endpoint != null && (fips || dualStack)) {
            // the SDKs' endpoint rules refuse it too: a custom endpoint is taken as it is
            throw new IllegalArgumentException("a custom endpoint cannot be combined with " + (fips ? "FIPS" : "dual-stack")
                    + " endpoints: give one or the other");
        }
    }

    /**
     * The endpoint this configuration calls: the override, else the region's, as the service's
     * endpoint rules give it: {@code https://admin.wickr.{region}.{dnsSuffix}}, FIPS
     * {@code admin.wickr-fips}, dual-stack with the partition's dual-stack DNS suffix; the suffix
     * comes from the region's partition ({@code amazonaws.com}, {@code amazonaws.com.cn}, ...).
     */
    public URI effectiveEndpoint() {
        if (endpoint != null) {
            return endpoint;
        }
        PartitionMetadata partition = PartitionMetadata.of(Region.of(region));
        String suffix = dualStack ? partition.dnsSuffix(PartitionEndpointKey.builder().tags(EndpointTag.DUALSTACK).build())
                : partition.dnsSuffix();
        return URI.create("https://admin.wickr" + (fips ? "-fips" : "") + "." + region + "." + suffix);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String region = "us-east-1";
        private URI endpoint;
        private boolean fips;
        private boolean dualStack;
        private AwsCredentialsProvider credentials;
        private int maxAttempts = 5;
        private Duration baseDelay = Duration.ofMillis(100);
        private Duration throttlingBaseDelay = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(20);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration apiCallTimeout = Duration.ofMinutes(3);
        private int maxConnections = 64;

        public Builder region(String v) { this.region = v; return this; }
        public Builder endpoint(URI v) { this.endpoint = v; return this; }
        public Builder fips(boolean v) { this.fips = v; return this; }
        public Builder dualStack(boolean v) { this.dualStack = v; return this; }
        public Builder credentials(AwsCredentialsProvider v) { this.credentials = v; return this; }
        public Builder maxAttempts(int v) { this.maxAttempts = v; return this; }
        public Builder baseDelay(Duration v) { this.baseDelay = v; return this; }
        public Builder throttlingBaseDelay(Duration v) { this.throttlingBaseDelay = v; return this; }
        public Builder maxBackoff(Duration v) { this.maxBackoff = v; return this; }
        public Builder connectTimeout(Duration v) { this.connectTimeout = v; return this; }
        public Builder readTimeout(Duration v) { this.readTimeout = v; return this; }
        public Builder apiCallTimeout(Duration v) { this.apiCallTimeout = v; return this; }
        public Builder maxConnections(int v) { this.maxConnections = v; return this; }

        public WickrClientConfig build() {
            return new WickrClientConfig(region, endpoint, fips, dualStack, credentials, maxAttempts, baseDelay,
                    throttlingBaseDelay, maxBackoff, connectTimeout, readTimeout, apiCallTimeout, maxConnections);
        }
    }
}
