package io.wickrcensus.parquet;

import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Datasets on S3: {@code s3://BUCKET/PREFIX}.
 *
 * @param bucket      the bucket
 * @param prefix      the key prefix of the datasets' root, without a trailing slash ("" for the bucket's root)
 * @param region      the bucket's region (CENSUS_S3_REGION, else the job's region)
 * @param pathStyle   path-style addressing, for S3-compatible stores (CENSUS_S3_PATH_STYLE=true)
 * @param endpoint    an endpoint override, or null for the SDK's own resolution (which reads
 *                    AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL)
 * @param credentials the credentials, or null for the SDK's default chain
 */
public record S3Target(String bucket, String prefix, String region, boolean pathStyle, URI endpoint,
                       AwsCredentialsProvider credentials) {

    public static final String SCHEME = "s3://";

    public S3Target {
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("--output-dir " + SCHEME + bucket + "/" + prefix + ": '" + bucket
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
     * The target of {@code s3://BUCKET[/PREFIX]}, in the bucket's region and addressing as the
     * environment says: CENSUS_S3_REGION (else {@code jobRegion}) and CENSUS_S3_PATH_STYLE.
     */
    public static S3Target parse(String location, Map<String, String> env, String jobRegion) {
        String rest = location.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("/+$", "");
        String pathStyle = env.getOrDefault("CENSUS_S3_PATH_STYLE", "false").strip().toLowerCase(java.util.Locale.ROOT);
        if (!pathStyle.equals("true") && !pathStyle.equals("false")) {
            throw new IllegalArgumentException("CENSUS_S3_PATH_STYLE must be true or false, got '" + pathStyle + "'");
        }
        String region = env.get("CENSUS_S3_REGION");
        return new S3Target(bucket, prefix, region == null || region.isBlank() ? jobRegion : region.strip(),
                pathStyle.equals("true"), null, null);
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

    public S3Target withEndpoint(URI uri, AwsCredentialsProvider provider) {
        return new S3Target(bucket, prefix, region, pathStyle, uri, provider);
    }

    @Override
    public String toString() {
        return SCHEME + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
