package io.wickrcensus.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.ListUsersResponse;
import io.wickrcensus.api.model.User;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The client's streaming reader of users ({@code UserDeserializer}) reads what databind's record
 * path reads, and fails where it fails: compared token for token with a mapper of the same
 * settings without it.
 */
class UserDeserializerTest {

    /** The same settings as {@link Json#MAPPER}, with databind's own record path for users. */
    private static final JsonMapper DATABIND = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    /** A user with every component of the record set, each to a value of its own. */
    private static Map<String, Object> everyField() {
        Map<String, Object> m = new LinkedHashMap<>();
        int i = 0;
        for (RecordComponent c : User.class.getRecordComponents()) {
            i++;
            Class<?> t = c.getType();
            m.put(c.getName(), t == String.class ? "value-" + c.getName() : t == Boolean.class ? (i % 2 == 0)
                    : t == Integer.class ? i : List.of("g" + i, "h" + i));
        }
        return m;
    }

    @Test
    void everyComponentOfTheRecordIsRead() {
        Map<String, Object> fields = everyField();
        User read = Json.MAPPER.readValue(DATABIND.writeValueAsBytes(fields), User.class);
        for (RecordComponent c : User.class.getRecordComponents()) {
            try {
                assertThat(c.getAccessor().invoke(read)).as(c.getName()).isEqualTo(fields.get(c.getName()));
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(read).isEqualTo(DATABIND.readValue(DATABIND.writeValueAsBytes(fields), User.class));
    }

    @Test
    void aPageReadsAsDatabindReadsIt() {
        List<Object> users = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Map<String, Object> u = everyField();
            u.put("userId", "u" + i);
            u.put("inviteCode", "secret-" + i);
            u.put("addedLater", Map.of("nested", List.of(1, Map.of("deeper", true))));
            users.add(u);
        }
        users.add(Map.of("userId", "sparse"));
        byte[] page = DATABIND.writeValueAsBytes(Map.of("nextToken", "t1", "users", users));
        ListUsersResponse ours = Json.MAPPER.readValue(page, ListUsersResponse.class);
        assertThat(ours).isEqualTo(DATABIND.readValue(page, ListUsersResponse.class));
        assertThat(ours.users()).hasSize(4);
        assertThat(ours.users().get(3).status()).isNull();
    }

    @Test
    void unusualTokensGetDatabindsCoercionsAndErrors() {
        List<String> bodies = List.of("{}", "{\"userId\":null,\"securityGroups\":null,\"status\":null,\"isAdmin\":null}",
                "{\"status\":\"2\"}", "{\"status\":2.0}", "{\"status\":2.5}", "{\"status\":9999999999}", "{\"status\":true}",
                "{\"isAdmin\":\"true\"}", "{\"isAdmin\":1}", "{\"isAdmin\":{}}", "{\"userId\":123}", "{\"userId\":[\"a\"]}",
                "{\"userId\":{\"a\":1}}", "{\"securityGroups\":\"one\"}", "{\"securityGroups\":[null]}", "{\"securityGroups\":[1,true]}",
                "{\"securityGroups\":{}}", "{\"securityGroups\":[]}", "{\"securityGroups\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}",
                "{\"securityGroups\":[{\"a\":1}]}", "{\"securityGroups\":[1.5,\"x\"]}", "[]", "\"user\"", "{\"userId\":\"a\",\"userId\":\"b\"}", "{\"uname\":\"x\",\"inviteCode\":{\"a\":[1]}}");
        for (String body : bodies) {
            assertThat(outcome(Json.MAPPER, body, User.class)).as(body).isEqualTo(outcome(DATABIND, body, User.class));
            // inside a page, where a reader that lost its place would misread the users after it
            String page = "{\"users\":[" + body + ",{\"userId\":\"next\",\"status\":1}],\"nextToken\":\"t\"}";
            assertThat(outcome(Json.MAPPER, page, ListUsersResponse.class)).as(page)
                    .isEqualTo(outcome(DATABIND, page, ListUsersResponse.class));
        }
    }

    @Test
    void aListNestedInSecurityGroupsFailsTheWholePage() {
        // databind's collection path misreads the rest of such a page (it found three users in two)
        String page = "{\"users\":[{\"securityGroups\":[[\"a\"]]},{\"userId\":\"next\",\"status\":1}],\"nextToken\":\"t\"}";
        assertThat(outcome(Json.MAPPER, page, ListUsersResponse.class)).isEqualTo("fails");
    }

    /** What was read, or "fails" (the client turns any failure into MalformedResponseException). */
    private static Object outcome(JsonMapper mapper, String body, Class<?> type) {
        try {
            return mapper.readValue(body, type);
        } catch (RuntimeException e) {
            return "fails";
        }
    }
}
