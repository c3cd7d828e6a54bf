package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.wickrcensus.api.WickrAdminClient;
import io.wickrcensus.api.WickrClientConfig;
import io.wickrcensus.api.Json;
import io.wickrcensus.api.model.ListUsersRequest;
import io.wickrcensus.testing.Cli;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import tools.jackson.databind.JsonNode;

/**
 * The {@code emulator} command as an operator starts it, in a child JVM, paged through to the
 * last user by the client and by an independent SigV4 client, curl.
 */
class EmulatorCommandTest {

    static Process process;
    static URI endpoint;
    static String network;
    static String churnedNetwork;

    @BeforeAll
    static void startEmulatorProcess() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "emulator", "--port", "0", "--seed", "42", "--users", "5000", "--access-key", "AKIDEXAMPLE",
                "--secret-key", "secret", "--networks", "2")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        assertThat(line).as("the emulator's first line").isNotNull();
        Matcher m = Pattern.compile("listening on (http://\\S+) .*serving networks (\\S+) ").matcher(line);
        assertThat(m.find()).as(line).isTrue();
        endpoint = URI.create(m.group(1));
        String[] ids = m.group(2).split(",");
        assertThat(ids).hasSize(2);
        network = ids[0];
        churnedNetwork = ids[1];
    }

    @AfterAll
    static void stop() throws Exception {
        process.destroy();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void theClientPagesThroughToTheLastUser() {
        try (WickrAdminClient client = WickrAdminClient.create(WickrClientConfig.builder().region("us-east-1").endpoint(endpoint)
                .credentials(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret"))).build())) {
            Set<String> ids = new HashSet<>();
            client.listAllUsers(ListUsersRequest.builder(network).maxResults(100).build()).forEach(u -> ids.add(u.userId()));
            assertThat(ids).hasSize(5000);
        }
    }

    @Test
    void curlPagesThroughToTheLastUserWithItsOwnSigV4() throws Exception {
        assumeTrue(new File("/usr/bin/curl").canExecute() || new File("/usr/local/bin/curl").canExecute(), "curl is installed");
        Set<String> ids = new HashSet<>();
        String token = null;
        int pages = 0;
        do {
            // curl signs the query as written (curl #9717): keep the parameters sorted
            String url = endpoint + "/networks/" + network + "/users?maxResults=100" + (token == null ? "" : "&nextToken=" + token);
            JsonNode page = Json.MAPPER.readTree(curl("--aws-sigv4", "aws:amz:us-east-1:wickr", "--user", "AKIDEXAMPLE:secret", url));
            page.get("users").forEach(u -> ids.add(u.get("userId").asString()));
            token = page.has("nextToken") ? page.get("nextToken").asString() : null;
            pages++;
        } while (token != null);
        assertThat(ids).hasSize(5000);
        assertThat(pages).isEqualTo(50);

        JsonNode wrong = Json.MAPPER.readTree(curl("--aws-sigv4", "aws:amz:us-east-1:wickr", "--user", "AKIDEXAMPLE:nope",
                endpoint + "/networks/" + network + "/users/count"));
        assertThat(wrong.get("message").asString()).contains("signature");
        String unsigned = curl("-o", "/dev/null", "-w", "%{http_code}", endpoint + "/networks/" + network + "/users");
        assertThat(unsigned).isEqualTo("401");
    }

    @Test
    void curlSignsABatchBodyThatTheEmulatorChecks() throws Exception {
        assumeTrue(new File("/usr/bin/curl").canExecute() || new File("/usr/local/bin/curl").canExecute(), "curl is installed");
        JsonNode page = Json.MAPPER.readTree(curl("--aws-sigv4", "aws:amz:us-east-1:wickr", "--user", "AKIDEXAMPLE:secret",
                endpoint + "/networks/" + network + "/users?maxResults=50"));
        List<String> unames = new ArrayList<>();
        page.get("users").forEach(u -> unames.add(u.get("uname").asString()));
        // 50 unames make a body over 1 KiB, so curl also sends Expect: 100-continue
        String body = Json.MAPPER.writeValueAsString(java.util.Map.of("unames", unames));
        JsonNode answer = Json.MAPPER.readTree(curl("--aws-sigv4", "aws:amz:us-east-1:wickr", "--user", "AKIDEXAMPLE:secret",
                "-H", "Content-Type: application/json", "-X", "POST", "--data-binary", body,
                endpoint + "/networks/" + network + "/users/uname-lookup"));
        assertThat(answer.get("successful")).hasSize(50);
        assertThat(answer.get("failed")).isEmpty();
    }

    @Test
    void theSteeringEndpointsChurnAndCount() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var churn = http.send(java.net.http.HttpRequest.newBuilder(endpoint.resolve("/_emulator/networks/" + churnedNetwork + "/churn?days=2"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(Json.MAPPER.readTree(churn.body()).get("day").asInt()).isGreaterThanOrEqualTo(2);
        var stats = http.send(java.net.http.HttpRequest.newBuilder(endpoint.resolve("/_emulator/stats")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(stats.body()).isObject()).isTrue();
        var bad = http.send(java.net.http.HttpRequest.newBuilder(endpoint.resolve("/_emulator/faults?fail429=3"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("fail429");
    }

    private static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    /** The emulator guide's curl line, against an emulator on its defaults, works as written (but for the port). */
    @Test
    void theReadmesCurlExampleRunsAsWritten() throws Exception {
        assumeTrue(new File("/usr/bin/curl").canExecute() || new File("/usr/local/bin/curl").canExecute(), "curl is installed");
        String line = java.nio.file.Files.readAllLines(Path.of("docs", "emulator.md")).stream().filter(l -> l.contains("curl --aws-sigv4"))
                .findFirst().orElseThrow();
        String command = line.substring(line.indexOf('`') + 1, line.lastIndexOf('`'));
        try (io.wickrcensus.emulator.WickrEmulator e = io.wickrcensus.emulator.WickrEmulator.start(
                io.wickrcensus.emulator.EmulatorConfig.builder().build())) {
            assertThat(e.describe()).contains("access key AKIDEXAMPLE, secret key " + io.wickrcensus.emulator.EmulatorConfig.DEFAULT_SECRET_KEY);
            assertThat(command).contains("/networks/" + e.networkIds().get(0) + "/");
            Process p = new ProcessBuilder("bash", "-c", command.replace("http://127.0.0.1:8787", e.endpoint().toString()) + " -sS")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor()).as(out).isZero();
            assertThat(Json.MAPPER.readTree(out).get("users")).as(out).hasSize(100);
        }
    }

    @Test
    void badOptionsExitWithTheConfigurationCodeAndOneLine() throws Exception {
        assertThat(run("emulator", "--periods", "2026-13")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("emulator", "--users", "many")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("emulator", "--fail-429", "2")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("emulator", "--network-id", "bad id!")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(run("no-such-command")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
        assertThat(lastErr).contains("no-such-command").doesNotContain("Exception").hasLineCount(1);
    }

    private static String lastErr;

    private static int run(String... args) {
        Cli.Result r = Cli.run(args);
        lastErr = r.err().strip();
        return r.code();
    }
}
