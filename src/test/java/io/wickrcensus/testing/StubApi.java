package io.wickrcensus.testing;

import com.sun.net.httpserver.HttpServer;
import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * An HTTP endpoint on loopback that answers every request the same way, and counts them: what the
 * client makes of answers the emulator never gives (a web page, figures that are not numbers).
 */
public final class StubApi implements AutoCloseable {

    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private StubApi(int status, String contentType, String body) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
    }

    public static StubApi answering(int status, String contentType, String body) throws IOException {
        return new StubApi(status, contentType, body);
    }

    /** A client of this endpoint with {@code maxAttempts} and millisecond backoffs. */
    public WickrAdminClient client(int maxAttempts) {
        return WickrAdminClient.create(WickrClientConfig.builder()
                .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort())).maxAttempts(maxAttempts)
                .baseDelay(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5))
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret"))).build());
    }

    /** The requests answered so far. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
