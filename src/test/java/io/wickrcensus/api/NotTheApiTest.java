package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.wickrcensus.api.errors.NotTheApiException;
import io.wickrcensus.api.errors.WickrException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** An endpoint that answers web pages, not the API: a wrong --endpoint is said to be one, and not retried. */
class NotTheApiTest {

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();

    private WickrAdminClient clientAnswering(int status, String contentType) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            byte[] page = "<html><body>Not here</body></html>".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", contentType);
            ex.sendResponseHeaders(status, page.length);
            ex.getResponseBody().write(page);
            ex.close();
        });
        server.start();
        return WickrAdminClient.create(WickrClientConfig.builder()
                .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort())).maxAttempts(3)
                .baseDelay(Duration.ofMillis(1)).maxBackoff(Duration.ofMillis(5))
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret"))).build());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void anHtml404IsAWrongEndpointNotAnUnknownNetwork() throws Exception {
        try (WickrAdminClient c = clientAnswering(404, "text/html; charset=utf-8")) {
            assertThatThrownBy(() -> c.getUsersCount("net00001")).isInstanceOf(NotTheApiException.class)
                    .hasMessageContaining("answered HTTP 404 with text/html, not the Wickr Admin API's JSON: check --endpoint");
            assertThat(requests).hasValue(1);
        }
    }

    @Test
    void anHtml200IsAWrongEndpointAndNotRetriedAsIfMalformed() throws Exception {
        try (WickrAdminClient c = clientAnswering(200, "text/html")) {
            assertThatThrownBy(() -> c.getUsersCount("net00001")).isInstanceOf(NotTheApiException.class);
            assertThat(requests).as("not retried").hasValue(1);
        }
    }

    @Test
    void aProxysHtml502IsStillRetried() throws Exception {
        try (WickrAdminClient c = clientAnswering(502, "text/html")) {
            assertThatThrownBy(() -> c.getUsersCount("net00001")).isInstanceOf(WickrException.class);
            assertThat(requests).as("a passing outage").hasValue(3);
        }
    }
}
