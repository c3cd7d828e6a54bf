package io.wickrcensus.parquet;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGStatement;

/**
 * A query's rows as the Parquet writers take them: {@code Object[]} in the columns' order, typed
 * as {@link ParquetColumn}s say, streamed with a cursor. The datasets and the Iceberg tables read
 * PostgreSQL through it.
 */
public final class QueryRows {

    /** Takes one row. */
    public interface Sink {
        void accept(Object[] row) throws java.io.IOException;
    }

    private QueryRows() {
    }

    /** Streams the rows of {@code sql} with {@code args} into {@code sink}; returns how many there were. */
    public static long forEach(Connection c, List<ParquetColumn> columns, String sql, Object[] args, Sink sink)
            throws SQLException, java.io.IOException {
        long n = 0;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binaryResults(ps);
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sink.accept(row(rs, columns));
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * Asks the driver for the rows in PostgreSQL's binary format from the first execution (it
     * otherwise does so only from the fifth, and a dataset's query runs once a run): a timestamp
     * then arrives as its microseconds instead of text to parse, which halved the client's CPU
     * reading the uname directory, and the server skips formatting it.
     */
    private static void binaryResults(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(PGStatement.class)) {
            ps.unwrap(PGStatement.class).setPrepareThreshold(-1); // below zero: binary transfer forced
        }
    }

    private static Object[] row(ResultSet rs, List<ParquetColumn> columns) throws SQLException {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            int k = i + 1;
            row[i] = switch (columns.get(i).kind()) {
                case STRING -> rs.getString(k);
                case INT32 -> (Integer) rs.getObject(k);
                case INT64 -> rs.getObject(k) == null ? null : rs.getLong(k);
                case BOOLEAN -> (Boolean) rs.getObject(k);
                case DATE -> rs.getObject(k, LocalDate.class);
                case TIMESTAMP -> instant(rs.getTimestamp(k));
                case STRING_LIST -> {
                    Array a = rs.getArray(k);
                    yield a == null ? null : Arrays.asList((Object[]) a.getArray());
                }
            };
        }
        return row;
    }

    /**
     * A timestamptz as the instant it is. Read in binary as microseconds of UTC, it needs no zone: an
     * {@code OffsetDateTime} cost pgjdbc a new {@code ZoneRules} per value on Java 17 (a quarter of
     * the CPU of writing the uname directory's file), a {@code Timestamp} does not.
     */
    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
