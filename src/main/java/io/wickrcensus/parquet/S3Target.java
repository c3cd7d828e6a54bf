package io.wickrcensus.parquet;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Datasets on S3: {@code s3://BUCKET/PREFIX}.
 *
 * @param bucket      the bucket
 * @param prefix      the key prefix of the datasets' root, without a trailing slash ("" for the bucket's root)
 * @param region      the bucket's region
 * @param pathStyle   path-style addressing, for S3-compatible stores
 * @param endpoint    an endpoint override, or null for the SDK's own resolution (which reads
 *                    AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL)
 * @param credentials the credentials, or null for the SDK's default chain
 * @param checksumsWhenRequired send and check the SDK's flexible checksums only where S3 requires
 *                    them: the default whenever a custom endpoint is set (an S3-compatible store)
 *                    and neither of the SDK's checksum settings ({@link #REQUEST_CHECKSUMS},
 *                    {@link #RESPONSE_CHECKSUMS}) says otherwise, since many such stores answer the SDK's default checksums with
 *                    XAmzContentSHA256Mismatch
 */
public record S3Target(String bucket, String prefix, String region, boolean pathStyle, URI endpoint,
                       AwsCredentialsProvider credentials, boolean checksumsWhenRequired) {

    public static final String SCHEME = "s3://";
    /** The SDK's own settings of its flexible checksums, which an operator may set instead. */
    public static final String REQUEST_CHECKSUMS = "AWS_REQUEST_CHECKSUM_CALCULATION";
    public static final String RESPONSE_CHECKSUMS = "AWS_RESPONSE_CHECKSUM_VALIDATION";

    public S3Target {
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException(SCHEME + bucket + "/" + prefix + ": '" + bucket
                    + "' is not an S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-')");
        }
    }

    /** Whether {@code location} names S3 rather than a local directory. */
    public static boolean isS3(String location) {
        return location.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Whether {@code location} is a URL of some other scheme (https:, file:, or s3: after a Path
     * collapsed its "//"), which as a local path would become a directory named after the scheme.
     */
    public static boolean isOtherUrl(String location) {
        return !isS3(location) && location.matches("(?i)[a-z][a-z0-9+.-]+:/.*");
    }

    /**
     * How an {@code s3://} location is reached, as the operator configured it.
     *
     * @param region                the bucket's region
     * @param pathStyle             path-style addressing, for S3-compatible stores
     * @param checksumsWhenRequired see {@link S3Target#checksumsWhenRequired}
     */
    public record Options(String region, boolean pathStyle, boolean checksumsWhenRequired) {
    }

    /** The target of {@code s3://BUCKET[/PREFIX]}, reached as {@code options} say. */
    public static S3Target parse(String location, Options options) {
        String rest = location.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        return new S3Target(bucket, prefix, options.region(), options.pathStyle(), null, null, options.checksumsWhenRequired());
    }

    /** The key of {@code relative} (a path below the prefix, with '/'). */
    public String key(String relative) {
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /** A client for this target's bucket (region, credentials, endpoint and addressing as configured); the caller closes it. */
    public software.amazon.awssdk.services.s3.S3Client client() {
        return S3Store.client(this);
    }

    /** Null when the bucket exists, is in the region and takes new objects under the prefix; else why not, in words. */
    public String problem() {
        return S3Store.problem(this);
    }

    /** The same bucket through an endpoint and with credentials given in code (tests, the demo). */
    public S3Target withEndpoint(URI uri, AwsCredentialsProvider provider) {
        return new S3Target(bucket, prefix, region, pathStyle, uri, provider, checksumsWhenRequired);
    }

    /** The same, sending the SDK's default checksums or not. */
    public S3Target withChecksumsWhenRequired(boolean whenRequired) {
        return new S3Target(bucket, prefix, region, pathStyle, endpoint, credentials, whenRequired);
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
