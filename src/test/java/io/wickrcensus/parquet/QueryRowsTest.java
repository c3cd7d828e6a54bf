package io.wickrcensus.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.ColumnType;
import io.wickrcensus.testing.TestDatabases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

/**
 * Timestamps read for the datasets are the instants PostgreSQL holds, to the microsecond, whatever
 * the JVM's time zone: around a daylight-saving change, before 1970, and null.
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
                assertThat(read).as(jvmZone).isEqualTo(expected);
            }
        } finally {
            TimeZone.setDefault(zone);
        }
    }
}
