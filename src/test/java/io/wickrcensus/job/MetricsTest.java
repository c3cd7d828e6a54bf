package io.wickrcensus.job;

import io.wickrcensus.testing.TestFiles;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** The run's metrics: pushed to a Pushgateway when one is configured, and summarised in the last log line. */
class MetricsTest {

    record Push(String method, String path, String body) { }

    @Test
    void aRunPushesItsMetricsToThePushgatewayAndTheyMatchWhatHappened() throws Exception {
        List<Push> pushes = new CopyOnWriteArrayList<>();
        // the receiving end of a Pushgateway: it records what was pushed and answers as the real one does
        HttpServer gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", ex -> {
            pushes.add(new Push(ex.getRequestMethod(), ex.getRequestURI().getPath(),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        gateway.start();
        try (JobHarness h = new JobHarness(1200, 40)) {
            h.emulator.faults().fail429(0.05);
            int code = CensusRun.execute(h.builder("2026-11-20")
                            .pushgateway(URI.create("http://127.0.0.1:" + gateway.getAddress().getPort())).build(),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET)));
            assertThat(code).isEqualTo(ExitCodes.OK);

            assertThat(pushes).hasSize(1);
            Push push = pushes.get(0);
            assertThat(push.method()).as("PUT replaces the group's last push").isEqualTo("PUT");
            assertThat(push.path()).isEqualTo("/metrics/job/wickr-census/networks/" + h.network);
            String body = push.body();
            Map<String, Long> stats = h.emulator.stats();
            assertThat(sample(body, "census_api_calls_seconds_count{operation=\"ListUsers\",outcome=\"ok\"}"))
                    .isEqualTo(stats.get("ListUsers.200")).isEqualTo(12);
            // a series exists once it has a sample: none for ListUsers when no page was throttled (often, at 5% of 12)
            assertThat(sampleOrZero(body, "census_api_calls_seconds_count{operation=\"ListUsers\",outcome=\"throttled\"}"))
                    .isEqualTo(stats.getOrDefault("ListUsers.429", 0L));
            long throttled = stats.entrySet().stream().filter(e -> e.getKey().endsWith(".429")).mapToLong(Map.Entry::getValue).sum();
            assertThat(throttled).isPositive();
            assertThat(sum(body, "census_api_retries_total{", "reason=\"throttled\"")).isEqualTo(throttled);
            assertThat(sample(body, "census_rows_written_total{table=\"stage_user\"}")).isEqualTo(1200);
            assertThat(sample(body, "census_rows_written_total{table=\"user_version\"}")).isEqualTo(1200);
            assertThat(sample(body, "census_rows_written_total{table=\"stage_guest\"}")).isEqualTo(80);
            assertThat(sample(body, "census_rows_written_total{table=\"uname_directory\"}")
                    + sample(body, "census_rows_written_total{table=\"uname_lookup_failure\"}"))
                    .isEqualTo(h.count("SELECT count(*) FROM census.uname_directory")
                            + h.count("SELECT count(*) FROM census.uname_lookup_failure"));
            for (String step : List.of("users", "guestPeriod", "unames", "reconcile", "reinvite", "publish", "parquet")) {
                assertThat(body).contains("census_step_duration_seconds_count{status=\"COMPLETED\",step=\"" + step + "\"}");
            }
            assertThat(sample(body, "census_step_duration_seconds_count{status=\"COMPLETED\",step=\"guestPeriod\"}")).isEqualTo(2);
            assertThat(sample(body, "census_run_exit_code")).isZero();
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void theLastLogLineSummarisesTheRunAndAnUnreachablePushgatewayDoesNotFailIt() throws Exception {
        try (JobHarness h = new JobHarness(300, 10)) {
            Path log = TestFiles.log("census-metrics");
            Process p = h.launchChild(h.dbUrl, "2026-11-20", null, log, "--parquet", "off");
            assertThat(JobHarness.await(p)).isEqualTo(ExitCodes.OK);
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            String last = lines.get(lines.size() - 1);
            assertThat(last).contains("run finished: exit 0 in ", "api calls ", "ListUsers=3", "retries 0", "throttled 0",
                    "stage_user=300", "step seconds (", "users=");
            Files.deleteIfExists(log);

            // a closed port stands for a Pushgateway that is down: the run still succeeds
            assertThat(CensusRun.execute(h.builder("2026-11-21").pushgateway(URI.create("http://127.0.0.1:1")).build(),
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET))))
                    .isEqualTo(ExitCodes.OK);
        }
    }

    /** The value of one sample line of the text exposition. */
    static long sample(String body, String series) {
        return body.lines().filter(l -> l.startsWith(series + " ")).map(l -> l.substring(series.length() + 1).trim())
                .map(v -> (long) Double.parseDouble(v)).findFirst().orElseThrow(() -> new AssertionError("no sample " + series + " in\n" + body));
    }

    /** The sample's value, or 0 when the series has none (a counter that never counted is not exposed). */
    static long sampleOrZero(String body, String series) {
        return body.lines().anyMatch(l -> l.startsWith(series + " ")) ? sample(body, series) : 0;
    }

    static long sum(String body, String prefix, String label) {
        return body.lines().filter(l -> l.startsWith(prefix) && l.contains(label))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
