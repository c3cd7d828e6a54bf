package io.wickrcensus.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.testing.TestDatabases;
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
                "Zoë\t李\\Ł\n😀\r");
        List<List<String>> arrays = Arrays.asList(List.of("a", "b"), List.of("comma,inside", "brace}{", "quote\"s", "back\\slash"),
                List.of(), List.of("NULL"), null, List.of("tab\tin array"), List.of("x"), List.of("y"), List.of("z"), List.of("w"), List.of("v"));
        String url = TestDatabases.newDatabase("pgcopy");
        try (Connection c = TestDatabases.connect(url)) {
            c.createStatement().execute("CREATE TABLE t (id int, s text, a text[], b boolean, n bigint)");
            PgCopy copy = new PgCopy();
            for (int i = 0; i < texts.size(); i++) {
                copy.value(i).value(texts.get(i)).value(arrays.get(i)).value(i % 2 == 0 ? Boolean.TRUE : null)
                        .value(i * 1_000_000_000L).endRow();
            }
            assertThat(copy.copyInto(c, "t (id, s, a, b, n)")).isEqualTo(texts.size());
            try (ResultSet rs = c.createStatement().executeQuery("SELECT id, s, a, b, n FROM t ORDER BY id")) {
                for (int i = 0; i < texts.size(); i++) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString("s")).isEqualTo(texts.get(i));
                    Array a = rs.getArray("a");
                    assertThat(a == null ? null : Arrays.asList((Object[]) a.getArray())).isEqualTo(arrays.get(i));
                    assertThat((Boolean) rs.getObject("b")).isEqualTo(i % 2 == 0 ? Boolean.TRUE : null);
                    assertThat(rs.getLong("n")).isEqualTo(i * 1_000_000_000L);
                }
            }
        }
    }
}
