package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.wickrcensus.db.ColumnType;
import io.wickrcensus.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * Timestamps read for the datasets are the instants PostgreSQL holds, to the microsecond, whatever
 * the JVM's time zone: around a daylight-saving change, before 1970, and null; strings are the
 * bytes PostgreSQL holds.
 */
class QueryRowsTest {

    @Test
    void aTimestampIsTheInstantPostgresqlHoldsInAnyTimeZone() throws Exception {
        List<Instant> expected = new ArrayList<>();
        expected.add(Instant.parse("2026-03-08T06:59:59.123456Z"));
        expected.add(Instant.parse("2026-03-08T07:00:00.000001Z"));
        expected.add(Instant.parse("1969-07-20T20:17:40.999999Z"));
        expected.add(null);
        TimeZone zone = TimeZone.getDefault();
        try (Connection c = DriverManager.getConnection(TestDatabases.newDatabase("queryrows"), "postgres", "")) {
            for (String jvmZone : List.of("America/New_York", "Pacific/Chatham", "UTC")) {
                TimeZone.setDefault(TimeZone.getTimeZone(jvmZone));
                List<Object> read = new ArrayList<>();
                QueryRows.forEach(c, List.of(ParquetColumn.of("t", ColumnType.TIMESTAMP)),
                        "SELECT t FROM unnest(CAST(? AS timestamptz[])) WITH ORDINALITY AS a(t, i) ORDER BY i",
                        new Object[] {"{\"2026-03-08 01:59:59.123456-05\",\"2026-03-08 03:00:00.000001-04\","
                                + "\"1969-07-20 20:17:40.999999+00\",NULL}"},
                        row -> read.add(row[0]));
                assertThat(read).as(jvmZone).isEqualTo(expected.stream().map(t -> t == null ? null
                        : t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000).toList());
            }
        } finally {
            TimeZone.setDefault(zone);
        }
    }

    /**
     * Strings arrive as the UTF-8 bytes PostgreSQL sent, a timestamp without a zone as the instant
     * it is in the JVM's zone (its binary form is not UTC's microseconds), and an infinite
     * timestamp is refused rather than written as a date.
     */
    @Test
    void stringsAreTheirBytesAndOnlyATimestamptzIsReadAsMicroseconds() throws Exception {
        List<ParquetColumn> columns = List.of(ParquetColumn.of("s", ColumnType.STRING), ParquetColumn.of("t", ColumnType.TIMESTAMP),
                ParquetColumn.of("n", ColumnType.INT64), ParquetColumn.of("o", ColumnType.STRING), ParquetColumn.of("v", ColumnType.STRING));
        String sql = "SELECT s, t, n, o, CAST(s AS varchar(20)) FROM (VALUES "
                + "(1, 'Zoë 李 😀', CAST('2026-01-02 03:04:05.678901' AS timestamp), CAST(7 AS bigint), 42), "
                + "(2, NULL, NULL, NULL, NULL), (3, '', CAST('1960-01-01 00:00:00' AS timestamp), -1, -7)) AS v(i, s, t, n, o) ORDER BY i";
        try (Connection c = DriverManager.getConnection(TestDatabases.newDatabase("queryrows_bytes"), "postgres", "")) {
            List<Object[]> rows = new ArrayList<>();
            QueryRows.forEach(c, columns, sql, new Object[0], rows::add);
            assertThat(rows).hasSize(3);
            assertThat(Arrays.asList(rows.get(0)[0], rows.get(1)[0], rows.get(2)[0])).map(v -> v == null ? null
                    : ((org.apache.parquet.io.api.Binary) v).toStringUsingUTF8()).containsExactly("Zoë 李 😀", null, "");
            ZoneId zone = ZoneId.systemDefault();
            assertThat(Arrays.asList(rows.get(0)[1], rows.get(1)[1], rows.get(2)[1])).containsExactly(
                    LocalDateTime.parse("2026-01-02T03:04:05.678901").atZone(zone).toInstant(), null,
                    LocalDateTime.parse("1960-01-01T00:00:00").atZone(zone).toInstant());
            assertThat(Arrays.asList(rows.get(0)[2], rows.get(1)[2], rows.get(2)[2])).containsExactly(7L, null, -1L);
            // a string of another type (binary int4 is four bytes) is its text; a varchar is its bytes
            assertThat(Arrays.asList(rows.get(0)[3], rows.get(1)[3], rows.get(2)[3])).map(v -> v == null ? null
                    : ((org.apache.parquet.io.api.Binary) v).toStringUsingUTF8()).containsExactly("42", null, "-7");
            assertThat(Arrays.asList(rows.get(0)[4], rows.get(1)[4], rows.get(2)[4])).map(v -> v == null ? null
                    : ((org.apache.parquet.io.api.Binary) v).toStringUsingUTF8()).containsExactly("Zoë 李 😀", null, "");
            assertThatThrownBy(() -> QueryRows.forEach(c, List.of(ParquetColumn.of("t", ColumnType.TIMESTAMP)),
                    "SELECT CAST('infinity' AS timestamptz)", new Object[0], row -> {
                    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("not a finite");
        }
    }
}
