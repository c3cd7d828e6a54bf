package io.wickrcensus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** What the emulator spends on a call besides the injected latency, as the bench reports it per night. */
class EmulatorWorkTest {

    @Test
    void theWorkOfACallLeavesOutTheInjectedLatency() throws Exception {
        try (WickrEmulator e = WickrEmulator.start(EmulatorConfig.builder().seed(3).users(300).accessKey("AKWORK").secretKey("work-secret")
                .latencyMs(200).build());
             WickrAdminClient c = WickrAdminClient.create(WickrClientConfig.builder().region("us-east-1").endpoint(e.endpoint())
                     .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKWORK", "work-secret"))).build())) {
            String net = e.networkIds().get(0);
            long start = System.nanoTime();
            assertThat(c.listAllUsers(ListUsersRequest.builder(net).maxResults(100).build())).hasSize(300);
            double wallMs = (System.nanoTime() - start) / 1e6;
            Map<String, Long> stats = e.stats();
            assertThat(stats).containsEntry("ListUsers.200", 3L);
            double perCall = Bench.workPerCall(Map.of(), stats).get("ListUsers");
            assertThat(wallMs).as("three calls of 200 ms each").isGreaterThanOrEqualTo(600);
            assertThat(perCall).as("the work of a page, not its latency").isPositive().isLessThan(150);
        }
    }

    @Test
    void theWorkPerCallIsOfTheCallsBetweenTwoReadings() {
        Map<String, Long> before = Map.of("ListUsers.200", 10L, "workMicros.ListUsers", 20_000L, "ListUsers.429", 3L);
        Map<String, Long> after = Map.of("ListUsers.200", 30L, "workMicros.ListUsers", 60_000L, "ListUsers.429", 5L,
                "GetUsersCount.200", 1L, "workMicros.GetUsersCount", 4_500L, "workMicros.BatchLookupUserUname", 700L);
        Map<String, Double> w = Bench.workPerCall(before, after);
        assertThat(w.get("ListUsers")).as("40 ms over 20 answered pages (the 429s' work counts too)").isCloseTo(2.0, within(1e-9));
        assertThat(w.get("GetUsersCount")).isCloseTo(4.5, within(1e-9));
        assertThat(w).as("no answered call, no figure").doesNotContainKey("BatchLookupUserUname");
    }
}
