package io.wickrcensus.iceberg;

import io.wickrcensus.parquet.S3Target;
import java.net.URI;
import java.util.Map;
import org.apache.iceberg.aws.s3.S3FileIOAwsClientFactory;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The S3 clients of Iceberg's {@code S3FileIO}, made as the datasets' are ({@link S3Target#client}):
 * the same region, addressing, endpoint and checksum behaviour, one SDK and one HTTP client for
 * both. Iceberg makes it by name from the catalog's properties ({@code s3.client-factory-impl}).
 */
public final class TargetS3Clients implements S3FileIOAwsClientFactory {

    private static final long serialVersionUID = 1L;
    static final String BUCKET = "wickr-census.s3.bucket";
    static final String REGION = "wickr-census.s3.region";
    static final String PATH_STYLE = "wickr-census.s3.path-style";
    static final String CHECKSUMS_WHEN_REQUIRED = "wickr-census.s3.checksums-when-required";
    static final String ENDPOINT = "wickr-census.s3.endpoint";

    private S3Target target;

    /** The catalog properties that make this factory reach {@code target}. */
    static Map<String, String> properties(S3Target target) {
        Map<String, String> p = new java.util.HashMap<>();
        p.put("s3.client-factory-impl", TargetS3Clients.class.getName());
        p.put(BUCKET, target.bucket());
        if (target.region() != null) {
            p.put(REGION, target.region());
        }
        p.put(PATH_STYLE, Boolean.toString(target.pathStyle()));
        p.put(CHECKSUMS_WHEN_REQUIRED, Boolean.toString(target.checksumsWhenRequired()));
        if (target.endpoint() != null) {
            p.put(ENDPOINT, target.endpoint().toString());
        }
        return p;
    }

    @Override
    public void initialize(Map<String, String> properties) {
        S3Target t = S3Target.parse(S3Target.SCHEME + properties.get(BUCKET), new S3Target.Options(properties.get(REGION),
                Boolean.parseBoolean(properties.get(PATH_STYLE)), Boolean.parseBoolean(properties.get(CHECKSUMS_WHEN_REQUIRED))));
        String endpoint = properties.get(ENDPOINT);
        this.target = endpoint == null ? t : t.withEndpoint(URI.create(endpoint), null);
    }

    @Override
    public S3Client s3() {
        return target.client();
    }

    @Override
    public S3AsyncClient s3Async() {
        throw new UnsupportedOperationException("the job's tables are written and read with the synchronous S3 client");
    }
}
