package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.wickrcensus.testing.S3Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Against an S3-compatible store (a custom endpoint), the job sends the SDK's flexible checksums
 * only where S3 requires them, since many such stores answer them with XAmzContentSHA256Mismatch;
 * against AWS it keeps the SDK's defaults. What goes on the wire is read by a recording server.
 */
class S3ChecksumTest {

    /** The headers of each PUT a throwaway server on loopback received (it answers every request 200). */
    private static List<Map<String, List<String>>> putHeaders(S3Target target) throws Exception {
        List<Map<String, List<String>>> seen = new CopyOnWriteArrayList<>();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            if (exchange.getRequestMethod().equals("PUT")) {
                seen.add(Map.copyOf(exchange.getRequestHeaders()));
            }
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("ETag", "\"0\"");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        try (S3Client c = target.withEndpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), S3Proxy.credentials())
                .client()) {
            c.putObject(r -> r.bucket("bucket").key("reports/index.html"), RequestBody.fromString("<html></html>"));
        } finally {
            server.stop(0);
        }
        return seen;
    }

    /**
     * Whether a flexible checksum went with the PUT: in a header of its own, or in the trailer of an
     * aws-chunked body ({@code x-amz-content-sha256: STREAMING-...-TRAILER}, what such stores refuse).
     */
    private static boolean checksummed(Map<String, List<String>> headers) {
        for (var h : headers.entrySet()) {
            String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
            String value = String.join(",", h.getValue());
            if (name.startsWith("x-amz-checksum-") || name.equals("x-amz-sdk-checksum-algorithm") || name.equals("x-amz-trailer")
                    || name.equals("x-amz-content-sha256") && value.endsWith("-TRAILER")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aCustomEndpointGetsChecksumsOnlyWhereRequiredAndAwsTheSdksDefaults() throws Exception {
        List<Map<String, List<String>>> relaxed = putHeaders(S3Target.parse("s3://bucket/reports", new S3Target.Options("us-east-1", true, true)));
        assertThat(relaxed).hasSize(1);
        assertThat(checksummed(relaxed.get(0))).as("when_required: %s", relaxed.get(0)).isFalse();

        List<Map<String, List<String>>> defaults = putHeaders(S3Target.parse("s3://bucket/reports", new S3Target.Options("us-east-1", true, false)));
        assertThat(defaults).hasSize(1);
        assertThat(checksummed(defaults.get(0))).as("the SDK's default: %s", defaults.get(0)).isTrue();
    }

    @Test
    void aRefusedChecksumIsSaidWithTheSettingsThatFixIt() {
        var refused = software.amazon.awssdk.services.s3.model.S3Exception.builder().statusCode(400)
                .awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails.builder().errorCode("XAmzContentSHA256Mismatch")
                        .sdkHttpResponse(software.amazon.awssdk.http.SdkHttpResponse.builder().statusCode(400).build()).build()).build();
        String line = S3Store.message((software.amazon.awssdk.services.s3.model.S3Exception) refused);
        assertThat(line).contains("XAmzContentSHA256Mismatch", "AWS_REQUEST_CHECKSUM_CALCULATION=when_required",
                "AWS_RESPONSE_CHECKSUM_VALIDATION=when_required");
        assertThat(S3Store.describe((software.amazon.awssdk.services.s3.model.S3Exception) refused,
                S3Target.parse("s3://bucket/x", new S3Target.Options("us-east-1", true, false)))).isEqualTo(line);
    }
}
