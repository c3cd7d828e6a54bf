package io.wickrcensus.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/** Sends requests the typed client would refuse or cannot express (unsigned, raw), over java.net.http. */
public final class RawHttp {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RawHttp() {
    }

    public static HttpResponse<String> unsigned(URI endpoint, String pathAndQuery) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(endpoint.resolve(pathAndQuery)).GET().build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** A GET signed with SigV4 for service wickr, sent as is. */
    public static HttpResponse<String> signedGet(URI endpoint, String pathAndQuery, String accessKey, String secret,
                                                 String region) throws IOException, InterruptedException {
        URI uri = endpoint.resolve(pathAndQuery);
        SdkHttpRequest request = SdkHttpRequest.builder().uri(uri).method(SdkHttpMethod.GET).build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsBasicCredentials.create(accessKey, secret))
                .request(request)
                .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "wickr")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, true));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        signed.request().forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("host")) {
                values.forEach(v -> b.header(name, v));
            }
        });
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
