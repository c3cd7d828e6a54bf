package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.BatchLookupUserUnameResponse;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse.Failed;
import io.wickrcensus.api.model.BatchLookupUserUnameResponse.Resolved;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client's streaming reader of uname lookups' answers ({@code LookupAnswerDeserializer}) reads
 * what databind's record path reads, and fails where it fails: compared token for token with a
 * mapper of the same settings without it.
 */
class LookupAnswerDeserializerTest {

    /** The same settings as {@link Json#MAPPER}, with databind's own record path. */
    private static final JsonMapper DATABIND = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    @Test
    void aFullAnswerReadsAsDatabindReadsIt() {
        List<Object> successful = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            successful.add(Map.of("uname", "%064x".formatted(i), "username", "Zoë.\"O'Brien\"\t" + i + "@example.com",
                    "addedLater", Map.of("nested", List.of(1, Map.of("deeper", true)))));
        }
        List<Object> failed = List.of(Map.of("uname", "f1", "field", "uname", "reason", "no longer a member"),
                Map.of("uname", "f2", "reason", "unknown"));
        byte[] body = DATABIND.writeValueAsBytes(Map.of("message", "ok", "successful", successful, "failed", failed, "extra", List.of()));

        BatchLookupUserUnameResponse ours = Json.MAPPER.readValue(body, BatchLookupUserUnameResponse.class);

        assertThat(ours).isEqualTo(DATABIND.readValue(body, BatchLookupUserUnameResponse.class));
        assertThat(ours.message()).isEqualTo("ok");
        assertThat(ours.successful()).hasSize(48);
        assertThat(ours.successful().get(47)).isEqualTo(new Resolved("%064x".formatted(47), "Zoë.\"O'Brien\"\t47@example.com"));
        assertThat(ours.failed()).containsExactly(new Failed("f1", "uname", "no longer a member"), new Failed("f2", null, "unknown"));
    }

    @Test
    void unusualTokensGetDatabindsCoercionsAndErrors() {
        List<String> bodies = List.of("{}", "{\"message\":null,\"successful\":null,\"failed\":null}", "{\"message\":5}",
                "{\"message\":[\"a\"]}", "{\"message\":{\"a\":1}}", "{\"successful\":[]}", "{\"successful\":{}}", "{\"successful\":\"x\"}",
                "{\"successful\":[null]}", "{\"successful\":[1]}", "{\"successful\":[\"u\"]}", "{\"successful\":[[]]}",
                "{\"successful\":[{}]}", "{\"successful\":[{\"uname\":1,\"username\":true}]}", "{\"successful\":[{\"uname\":null}]}",
                "{\"successful\":[{\"uname\":[\"a\"]}]}", "{\"successful\":[{\"uname\":{\"a\":1}}]}",
                "{\"successful\":[{\"uname\":\"a\",\"uname\":\"b\"}]}", "{\"failed\":[{\"uname\":\"a\",\"field\":2.5,\"reason\":null}]}",
                "{\"failed\":[{\"username\":\"not-a-field-of-failed\"}]}", "{\"failed\":{\"uname\":\"a\"}}", "[]", "\"answer\"", "null",
                "{\"successful\":[{\"uname\":\"a\"}],\"successful\":[{\"uname\":\"b\"}]}");
        for (String body : bodies) {
            assertThat(outcome(Json.MAPPER, body)).as(body).isEqualTo(outcome(DATABIND, body));
        }
    }

    /** What was read, or "fails" (the client turns any failure into MalformedResponseException). */
    private static Object outcome(JsonMapper mapper, String body) {
        try {
            return mapper.readValue(body, BatchLookupUserUnameResponse.class);
        } catch (RuntimeException e) {
            return "fails";
        }
    }
}
