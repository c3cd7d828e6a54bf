package io.wickrcensus.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.Json;
import io.wickrcensus.api.model.ListUsersResponse;
import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.api.model.ListedUsersPage;
import io.wickrcensus.api.model.User;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ListUsers page reader reads what the client's Jackson path reads, or leaves the page to it:
 * compared page by page with {@link Json#MAPPER} over generated pages (every field in any order,
 * nulls, names beyond Latin-1, unknown fields holding any JSON, whitespace, numbers at and past an
 * int's edges, values of the wrong type), their prefixes and their damaged copies. A page it reads
 * is one Jackson reads to the same users; a page Jackson refuses it never reads.
 */
class UsersPageReaderTest {

    private static final String[] FIELDS = {"userId", "firstName", "lastName", "username", "securityGroups", "isAdmin", "suspended",
        "status", "otpEnabled", "scimId", "type", "cell", "countryCode", "challengeFailures", "isInviteExpired", "isUser",
        "codeValidation", "uname"};
    private static final String[] TEXTS = {"Ana", "José", "Zoë", "Łukasz", "李", "O'Brien", "user@example.com", "+15551234567", "",
        "😀 astral", "a longer value of more than eight bytes", "ab057ebb95f14db1a33d9a0c0f0e1d2c3b4a59687766554433221100ffeeddcc"};
    /** Strings with escapes or control characters: Jackson's to read. */
    private static final String[] ESCAPED = {"\"quo\\\"ted\"", "\"back\\\\slash\"", "\"\\u00e9t\\u00e9\"", "\"line\\nbreak\"",
        "\"sl\\/ash\"", "\"bad\\xescape\"", "\"raw\ttab\""};
    private static final String[] NUMBERS = {"0", "7", "-1", "2147483647", "-2147483648", "2147483648", "-2147483649", "1.5", "1e3",
        "-0", "007", "12345678901234"};

    /** Whether the generator put in something only Jackson reads (an escape, a coercion). */
    private boolean jacksonOnly;

    @Test
    void aPlainPageIsReadAsJacksonReadsIt() {
        Random r = new Random(1);
        for (int n = 0; n < 300; n++) {
            jacksonOnly = false;
            byte[] page = page(r, false);
            ListUsersResponse fast = UsersPageReader.read(page);
            assertThat(fast).as(new String(page, StandardCharsets.UTF_8)).isNotNull();
            assertThat(fast).isEqualTo(Json.MAPPER.readValue(page, ListUsersResponse.class));
            assertListedTheSame(page, fast);
        }
    }

    @Test
    void anyPageItReadsJacksonReadsTheSameAndWhatJacksonRefusesItLeaves() {
        Random r = new Random(2);
        int read = 0;
        int refused = 0;
        for (int n = 0; n < 3_000; n++) {
            jacksonOnly = false;
            byte[] page = page(r, true);
            List<byte[]> variants = new ArrayList<>();
            variants.add(page);
            variants.add(java.util.Arrays.copyOf(page, r.nextInt(page.length))); // truncated
            byte[] damaged = page.clone();
            String bytes = "{}[]\",:x\\ 0-\u00ff";
            damaged[r.nextInt(damaged.length)] = (byte) bytes.charAt(r.nextInt(bytes.length()));
            variants.add(damaged);
            for (byte[] v : variants) {
                ListUsersResponse jackson;
                try {
                    jackson = Json.MAPPER.readValue(v, ListUsersResponse.class);
                } catch (RuntimeException e) {
                    jackson = null;
                    refused++;
                }
                ListUsersResponse fast = UsersPageReader.read(v);
                assertListedTheSame(v, fast);
                if (fast != null) {
                    read++;
                    assertThat(jackson).as(new String(v, StandardCharsets.UTF_8)).isNotNull();
                    assertThat(fast).as(new String(v, StandardCharsets.UTF_8)).isEqualTo(jackson);
                }
            }
            if (!jacksonOnly) {
                assertThat(UsersPageReader.read(page)).as(new String(page, StandardCharsets.UTF_8)).isNotNull();
            }
        }
        assertThat(read).as("pages read").isGreaterThan(500);
        assertThat(refused).as("pages Jackson refused").isGreaterThan(1_000);
    }

    @Test
    void theInviteCodeIsDroppedAndMalformedUtf8IsLeftToJackson() {
        byte[] page = "{\"users\":[{\"userId\":\"u1\",\"inviteCode\":\"SECRET-123\",\"uname\":\"x\"}],\"nextToken\":null}"
                .getBytes(StandardCharsets.UTF_8);
        ListUsersResponse read = UsersPageReader.read(page);
        assertThat(read.users()).containsExactly(new User("u1", null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, "x"));
        assertThat(read.nextToken()).isNull();
        byte[] malformed = "{\"users\":[{\"userId\":\"u\u00e9\"}]}".getBytes(StandardCharsets.UTF_8);
        malformed[malformed.length - 5] = (byte) 0xC3; // 0xC3 0xC3: a lead byte where a continuation byte must be
        assertThat(UsersPageReader.read(malformed)).isNull();
        byte[] skipped = "{\"users\":[{\"other\":\"\u00e9\"}]}".getBytes(StandardCharsets.UTF_8);
        skipped[skipped.length - 5] = (byte) 0xC3;
        assertThat(UsersPageReader.read(skipped)).isNull();
    }

    /**
     * The page read as {@link ListedUser}s is read exactly when it is read as users, to the same
     * users (each string the page's bytes) and the same token; Jackson's reading of a page the
     * byte reader leaves, as the client takes it, is the same users too.
     */
    private static void assertListedTheSame(byte[] page, ListUsersResponse read) {
        String as = new String(page, StandardCharsets.UTF_8);
        ListedUsersPage listed = UsersPageReader.readListed(page);
        if (read == null) {
            assertThat(listed).as(as).isNull();
            return;
        }
        assertThat(listed).as(as).isNotNull();
        assertThat(listed.nextToken()).as(as).isEqualTo(read.nextToken());
        assertThat(listed.users().stream().map(ListedUser::toUser).toList()).as(as).isEqualTo(read.users());
        assertThat(listed.users()).allSatisfy(u -> assertThat(u.userIdBytes() == null || u.userIdBytes().array() == page)
                .as("a string is a slice of the page").isTrue());
        assertThat(ListedUsersPage.of(read).users().stream().map(ListedUser::toUser).toList()).isEqualTo(read.users());
    }

    private byte[] page(Random r, boolean anything) {
        StringBuilder s = new StringBuilder();
        s.append(ws(r)).append('{').append(ws(r));
        List<String> members = new ArrayList<>();
        if (r.nextInt(10) > 0) {
            members.add("\"nextToken\":" + ws(r) + (r.nextInt(4) == 0 ? "null" : string(r, anything)));
        }
        StringBuilder users = new StringBuilder("\"users\":").append(ws(r));
        if (r.nextInt(30) == 0) {
            users.append("null");
        } else {
            users.append('[').append(ws(r));
            int n = r.nextInt(6);
            for (int u = 0; u < n; u++) {
                if (u > 0) {
                    users.append(',').append(ws(r));
                }
                users.append(user(r, anything)).append(ws(r));
            }
            users.append(']');
        }
        members.add(users.toString());
        if (r.nextInt(5) == 0) {
            members.add(unknownMember(r, anything));
        }
        java.util.Collections.shuffle(members, r);
        s.append(String.join("," + ws(r), members)).append(ws(r)).append('}').append(ws(r));
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private String user(Random r, boolean anything) {
        List<String> members = new ArrayList<>();
        for (String f : FIELDS) {
            if (r.nextInt(8) == 0) {
                continue;
            }
            members.add("\"" + f + "\"" + ws(r) + ":" + ws(r) + value(r, f, anything));
        }
        if (r.nextInt(3) == 0) {
            members.add("\"inviteCode\":" + string(r, anything));
        }
        if (r.nextInt(5) == 0) {
            members.add(unknownMember(r, anything));
        }
        if (r.nextInt(10) == 0 && !members.isEmpty()) {
            members.add(members.get(r.nextInt(members.size()))); // a field twice: the last one counts
        }
        java.util.Collections.shuffle(members, r);
        return "{" + ws(r) + String.join("," + ws(r), members) + ws(r) + "}";
    }

    private String value(Random r, String field, boolean anything) {
        if (r.nextInt(10) == 0) {
            return "null";
        }
        if (anything && r.nextInt(15) == 0) {
            jacksonOnly = true;
            return List.of("\"2\"", "1", "true", "\"true\"", "{}", "[]", "1.0").get(r.nextInt(7)); // another type: a coercion, or an error
        }
        return switch (field) {
            case "securityGroups" -> {
                List<String> g = new ArrayList<>();
                for (int k = r.nextInt(4); k > 0; k--) {
                    if (anything && r.nextInt(10) == 0) {
                        jacksonOnly = true; // a null group: the record refuses it, and so does Jackson's path
                        g.add("null");
                    } else {
                        g.add(string(r, anything));
                    }
                }
                yield "[" + ws(r) + String.join("," + ws(r), g) + ws(r) + "]";
            }
            case "isAdmin", "suspended", "otpEnabled", "isInviteExpired", "isUser", "codeValidation" -> r.nextBoolean() ? "true" : "false";
            case "status", "challengeFailures" -> {
                String v = anything ? NUMBERS[r.nextInt(NUMBERS.length)] : NUMBERS[r.nextInt(5)];
                if (!List.of("0", "7", "-1", "2147483647", "-2147483648").contains(v)) {
                    jacksonOnly = true;
                }
                yield v;
            }
            default -> string(r, anything);
        };
    }

    private String string(Random r, boolean anything) {
        if (anything && r.nextInt(20) == 0) {
            jacksonOnly = true;
            return ESCAPED[r.nextInt(ESCAPED.length)];
        }
        return "\"" + TEXTS[r.nextInt(TEXTS.length)] + (r.nextBoolean() ? "" : Integer.toString(r.nextInt(1_000_000))) + "\"";
    }

    /** A member the reader does not know, holding any JSON. */
    private String unknownMember(Random r, boolean anything) {
        return "\"extra" + r.nextInt(3) + "\"" + ws(r) + ":" + ws(r) + json(r, 0, anything);
    }

    private String json(Random r, int depth, boolean anything) {
        int kind = depth > 3 ? r.nextInt(4) : r.nextInt(6);
        return switch (kind) {
            case 0 -> anything && r.nextBoolean() ? ESCAPED[r.nextInt(ESCAPED.length - 2)] : string(r, false);
            case 1 -> NUMBERS[r.nextInt(NUMBERS.length)].replace("007", "7").replace("-0", "-0.5");
            case 2 -> List.of("true", "false", "null").get(r.nextInt(3));
            case 3 -> "-12.5e+3";
            case 4 -> {
                List<String> e = new ArrayList<>();
                for (int k = r.nextInt(3); k > 0; k--) {
                    e.add(json(r, depth + 1, anything));
                }
                yield "[" + ws(r) + String.join("," + ws(r), e) + ws(r) + "]";
            }
            default -> {
                List<String> e = new ArrayList<>();
                for (int k = r.nextInt(3); k > 0; k--) {
                    e.add("\"k" + k + "\"" + ws(r) + ":" + ws(r) + json(r, depth + 1, anything));
                }
                yield "{" + ws(r) + String.join("," + ws(r), e) + ws(r) + "}";
            }
        };
    }

    private static String ws(Random r) {
        return r.nextInt(4) > 0 ? "" : List.of(" ", "\n", "\r\n  ", "\t").get(r.nextInt(4));
    }
}
