package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.api.errors.NotTheApiException;
import io.wickrcensus.api.errors.WickrException;
import io.wickrcensus.testing.StubApi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An endpoint that answers web pages, not the API: a wrong --endpoint is said to be one, and not retried. */
class NotTheApiTest {

    private StubApi stub;

    private WickrAdminClient clientAnswering(int status, String contentType) throws Exception {
        stub = StubApi.answering(status, contentType, "<html><body>Not here</body></html>");
        return stub.client(3);
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    @Test
    void anHtml404IsAWrongEndpointNotAnUnknownNetwork() throws Exception {
        try (WickrAdminClient c = clientAnswering(404, "text/html; charset=utf-8")) {
            assertThatThrownBy(() -> c.getUsersCount("net00001")).isInstanceOf(NotTheApiException.class)
                    .hasMessageContaining("answered HTTP 404 with text/html, not the Wickr Admin API's JSON: check --endpoint");
            assertThat(stub.requests()).isEqualTo(1);
        }
    }

    @Test
    void anHtml200IsAWrongEndpointAndNotRetriedAsIfMalformed() throws Exception {
        try (WickrAdminClient c = clientAnswering(200, "text/html")) {
            assertThatThrownBy(() -> c.getUsersCount("net00001")).isInstanceOf(NotTheApiException.class);
            assertThat(stub.requests()).as("not retried").isEqualTo(1);
        }
    }

    @Test
    void aProxysHtml502IsStillRetried() throws Exception {
        try (WickrAdminClient c = clientAnswering(502, "text/html")) {
            assertThatThrownBy(() -> c.getUsersCount("net00001")).isInstanceOf(WickrException.class);
            assertThat(stub.requests()).as("a passing outage").isEqualTo(3);
        }
    }
}
