package io.wickrcensus.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import io.wickrcensus.api.Json;

/**
 * The verifier against AWS's own SigV4 test vectors (src/test/resources/sigv4-test-suite, Apache
 * 2.0, see its LICENSE): every signed request is accepted with the case's clock, credentials,
 * region and service, and rejected when a byte of it, the secret, the clock or the scope changes.
 */
class SigV4VerifierTest {

    record Case(String name, JsonNode context, SigV4Verifier.Request request) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException, URISyntaxException {
        Path root = Path.of(SigV4VerifierTest.class.getResource("/sigv4-test-suite").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).sorted().map(SigV4VerifierTest::load).toList().stream();
        }
    }

    private static Case load(Path dir) {
        try {
            JsonNode ctx = Json.MAPPER.readTree(Files.readAllBytes(dir.resolve("context.json")));
            return new Case(dir.getFileName().toString(), ctx,
                    parse(Files.readString(dir.resolve("header-signed-request.txt"), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses the suite's raw HTTP: request line, headers (with folded continuation lines), blank line, body. */
    static SigV4Verifier.Request parse(String raw) {
        String[] lines = raw.split("\n", -1);
        String requestLine = lines[0];
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        String target = requestLine.substring(method.length() + 1, requestLine.lastIndexOf(' '));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        String lastName = null;
        int i = 1;
        for (; i < lines.length && !lines[i].isEmpty(); i++) {
            String line = lines[i];
            if (Character.isWhitespace(line.charAt(0)) && lastName != null) {
                List<String> values = headers.get(lastName);
                values.set(values.size() - 1, values.get(values.size() - 1) + " " + line.trim());
                continue;
            }
            int colon = line.indexOf(':');
            lastName = line.substring(0, colon);
            headers.computeIfAbsent(lastName, k -> new ArrayList<>()).add(line.substring(colon + 1));
        }
        String body = i + 1 < lines.length ? String.join("\n", java.util.Arrays.copyOfRange(lines, i + 1, lines.length)) : "";
        int q = target.indexOf('?');
        return new SigV4Verifier.Request(method, q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1),
                headers, body.getBytes(StandardCharsets.UTF_8));
    }

    private static SigV4Verifier verifier(Case c, String secret, Instant now, String region) {
        JsonNode cred = c.context().get("credentials");
        return new SigV4Verifier(Map.of(cred.get("access_key_id").asString(), secret), region,
                c.context().get("service").asString(), Clock.fixed(now, ZoneOffset.UTC), Duration.ofMinutes(15),
                c.context().get("normalize").asBoolean());
    }

    private static SigV4Verifier verifier(Case c) {
        return verifier(c, c.context().get("credentials").get("secret_access_key").asString(),
                Instant.parse(c.context().get("timestamp").asString()), c.context().get("region").asString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void acceptsTheSignedRequestOfEveryCase(Case c) {
        SigV4Verifier.Result r = verifier(c).verify(c.request());
        assertThat(r.ok()).as(r.reason()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsAnotherSecret(Case c) {
        SigV4Verifier v = verifier(c, "not-the-secret", Instant.parse(c.context().get("timestamp").asString()),
                c.context().get("region").asString());
        assertThat(v.verify(c.request()).status()).isEqualTo(403);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsAClockMoreThanFifteenMinutesOff(Case c) {
        Instant signed = Instant.parse(c.context().get("timestamp").asString());
        String secret = c.context().get("credentials").get("secret_access_key").asString();
        String region = c.context().get("region").asString();
        assertThat(verifier(c, secret, signed.plus(Duration.ofMinutes(14)), region).verify(c.request()).ok()).isTrue();
        SigV4Verifier.Result late = verifier(c, secret, signed.plus(Duration.ofMinutes(16)), region).verify(c.request());
        assertThat(late.status()).isEqualTo(403);
        assertThat(late.reason()).contains("Signature expired");
        assertThat(verifier(c, secret, signed.minus(Duration.ofMinutes(16)), region).verify(c.request()).status()).isEqualTo(403);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsAnotherRegionScope(Case c) {
        SigV4Verifier v = verifier(c, c.context().get("credentials").get("secret_access_key").asString(),
                Instant.parse(c.context().get("timestamp").asString()), "eu-west-1");
        SigV4Verifier.Result r = v.verify(c.request());
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.reason()).contains("region");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejectsAChangedPathQueryOrBody(Case c) {
        SigV4Verifier v = verifier(c);
        SigV4Verifier.Request r = c.request();
        SigV4Verifier.Request path = new SigV4Verifier.Request(r.method(), r.rawPath() + "x", r.rawQuery(), r.headers(), r.body());
        assertThat(v.verify(path).status()).isEqualTo(403);
        String query = r.rawQuery() == null ? "extra=1" : r.rawQuery() + "&extra=1";
        SigV4Verifier.Request q = new SigV4Verifier.Request(r.method(), r.rawPath(), query, r.headers(), r.body());
        assertThat(v.verify(q).status()).isEqualTo(403);
        byte[] body = (new String(r.body(), StandardCharsets.UTF_8) + "!").getBytes(StandardCharsets.UTF_8);
        SigV4Verifier.Request b = new SigV4Verifier.Request(r.method(), r.rawPath(), r.rawQuery(), r.headers(), body);
        boolean bodySigned = c.context().get("sign_body").asBoolean() || r.headers().keySet().stream()
                .anyMatch(h -> h.equalsIgnoreCase("x-amz-content-sha256"));
        // Every case signs the payload hash in its canonical request, so a changed body never verifies.
        assertThat(v.verify(b).status()).as("body signed explicitly: " + bodySigned).isEqualTo(403);
        SigV4Verifier.Request m = new SigV4Verifier.Request(r.method().equals("GET") ? "POST" : "GET", r.rawPath(),
                r.rawQuery(), r.headers(), r.body());
        assertThat(v.verify(m).status()).isEqualTo(403);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void answers401WithoutASignature(Case c) {
        Map<String, List<String>> headers = new LinkedHashMap<>(c.request().headers());
        headers.keySet().removeIf(k -> k.equalsIgnoreCase("authorization"));
        SigV4Verifier.Request r = c.request();
        assertThat(verifier(c).verify(new SigV4Verifier.Request(r.method(), r.rawPath(), r.rawQuery(), headers, r.body()))
                .status()).isEqualTo(401);
    }
}
