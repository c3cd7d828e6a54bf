package io.wickrcensus.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.support.Utf8;
import io.wickrcensus.testing.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What COPY stores is what was given, for the awkward values too. */
class PgCopyTest {

    @Test
    void awkwardValuesSurviveTheRoundTrip() throws Exception {
        List<String> texts = Arrays.asList("plain", "tab\there", "new\nline", "carriage\rreturn", "back\\slash", "\\N",
                "O'Brien \"quoted\"", "Zoë 李 Łukasz", "", null,
                "Zoë\t李\\Ł\n😀\r", "a longer value with a back\\slash past its eighth byte");
        List<List<String>> arrays = Arrays.asList(List.of("a", "b"), List.of("comma,inside", "brace}{", "quote\"s", "back\\slash"),
                List.of(), List.of("NULL"), null, List.of("tab\tin array"), Arrays.asList("x", null), List.of("\\N", "\"\\\""),
                List.of("Zoë 李", "😀\r\n"), List.of(""), List.of("a longer element \"quoted\" and back\\slashed", "another long one, no quote"), List.of("w"));
        List<Long> numbers = List.of(0L, 7L, -1L, 9L, 10L, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L, Long.MAX_VALUE,
                Long.MIN_VALUE, -10L, (long) Integer.MIN_VALUE, 1234567890123L);
        String url = TestDatabases.newDatabase("pgcopy");
        try (Connection c = TestDatabases.connect(url)) {
            c.createStatement().execute("CREATE TABLE t (id int, s text, a text[], b boolean, n bigint, m bigint, i int, s2 text, a2 text[])");
            PgCopy copy = new PgCopy();
            for (int i = 0; i < texts.size(); i++) {
                copy.value(i).value(texts.get(i)).value(arrays.get(i)).value(bool(i))
                        .value(i * 1_000_000_000L).value(numbers.get(i)).value((Object) (int) -numbers.get(i).intValue())
                        .value(slice(texts.get(i))).value(arrays.get(i) == null ? null : arrays.get(i).stream().map(PgCopyTest::slice).toList())
                        .endRow();
            }
            assertThat(copy.copyInto(c, "t (id, s, a, b, n, m, i, s2, a2)")).isEqualTo(texts.size());
            try (ResultSet rs = c.createStatement().executeQuery("SELECT id, s, a, b, n, m, i, s2, a2 FROM t ORDER BY id")) {
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("s")).isEqualTo(texts.get(i));
                    Array a = rs.getArray("a");
                    assertThat(a == null ? null : Arrays.asList((Object[]) a.getArray())).isEqualTo(arrays.get(i));
                    assertThat((Boolean) rs.getObject("b")).isEqualTo(bool(i));
                    assertThat(rs.getLong("n")).isEqualTo(i * 1_000_000_000L);
                    assertThat(rs.getLong("m")).isEqualTo(numbers.get(i));
                    assertThat(rs.getInt("i")).isEqualTo(-numbers.get(i).intValue());
                    assertThat(rs.getString("s2")).as("a Utf8 slice").isEqualTo(texts.get(i));
                    Array a2 = rs.getArray("a2");
                    assertThat(a2 == null ? null : Arrays.asList((Object[]) a2.getArray())).as("Utf8 slices").isEqualTo(arrays.get(i));
                }
            }
        }
    }

    /** The value's bytes as a slice of a larger array, between bytes COPY would escape (or null, for null). */
    private static Utf8 slice(String value) {
        if (value == null) {
            return null;
        }
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        byte[] around = new byte[v.length + 6];
        Arrays.fill(around, (byte) '\\');
        around[0] = '\t';
        around[around.length - 1] = '"';
        System.arraycopy(v, 0, around, 3, v.length);
        return new Utf8(around, 3, v.length);
    }

    private static Boolean bool(int i) {
        return i % 3 == 0 ? Boolean.TRUE : i % 3 == 1 ? Boolean.FALSE : null;
    }
}
