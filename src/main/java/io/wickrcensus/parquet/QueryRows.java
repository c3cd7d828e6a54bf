package io.wickrcensus.parquet;

import io.wickrcensus.db.ColumnType;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.parquet.io.api.Binary;
import org.postgresql.PGResultSetMetaData;
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

    /**
     * Streams the rows of {@code sql} with {@code args} into {@code sink}; returns how many there
     * were. Each string comes as the UTF-8 bytes PostgreSQL sent (a Parquet {@link Binary}) and each
     * {@code timestamptz} as its microseconds of UTC (a {@code Long}), as the Parquet files take
     * them, without a string decoded only to be encoded again or a {@code Timestamp} built to be
     * taken apart (1M rows of the uname directory's shape: 0.70-1.01 s of the reading thread's CPU
     * read as strings and instants, 0.45-0.66 s so).
     */
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
                boolean[] asSent = asSent(rs, columns);
                while (rs.next()) {
                    sink.accept(row(rs, columns, asSent));
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

    /** A row as {@link #forEach} gives it; {@code asSent}: which columns are taken as PostgreSQL sent them. */
    private static Object[] row(ResultSet rs, List<ParquetColumn> columns, boolean[] asSent) throws SQLException {
        Object[] row = new Object[columns.size()];
        for (int i = 0; i < row.length; i++) {
            int k = i + 1;
            row[i] = switch (columns.get(i).kind()) {
                // the value's own bytes, in the connection's encoding: pgjdbc's is always UTF-8
                case STRING -> asSent[i] ? utf8(rs.getBytes(k)) : utf8(rs.getString(k));
                case INT32 -> (Integer) rs.getObject(k);
                case INT64 -> rs.getObject(k) == null ? null : rs.getLong(k);
                case BOOLEAN -> (Boolean) rs.getObject(k);
                case DATE -> rs.getObject(k, LocalDate.class);
                case TIMESTAMP -> asSent[i] ? micros(rs.getBytes(k)) : instant(rs.getTimestamp(k));
                case STRING_LIST -> {
                    Array a = rs.getArray(k);
                    yield a == null ? null : Arrays.asList((Object[]) a.getArray());
                }
            };
        }
        return row;
    }

    /**
     * Which columns are taken as the bytes PostgreSQL sent: a string whose bytes are its text (a
     * text type, or any but {@code bytea} sent in text format), a {@code timestamptz} sent in binary
     * (its microseconds of UTC). The others are read through the driver: a string of another type
     * (binary {@code int4} is four bytes, not digits), a timestamp without zone, anything a pooler
     * sent in text. Every column is read through the driver when the connection is not pgjdbc's.
     */
    private static boolean[] asSent(ResultSet rs, List<ParquetColumn> columns) throws SQLException {
        boolean[] asSent = new boolean[columns.size()];
        java.sql.ResultSetMetaData meta = rs.getMetaData();
        if (meta.isWrapperFor(PGResultSetMetaData.class)) {
            PGResultSetMetaData pg = meta.unwrap(PGResultSetMetaData.class);
            for (int i = 0; i < asSent.length; i++) {
                boolean binary = pg.getFormat(i + 1) == 1;
                String type = meta.getColumnTypeName(i + 1);
                asSent[i] = switch (columns.get(i).kind()) {
                    case STRING -> binary ? TEXT_TYPES.contains(type) : !"bytea".equals(type);
                    case TIMESTAMP -> binary && "timestamptz".equals(type);
                    default -> false;
                };
            }
        }
        return asSent;
    }

    /** PostgreSQL's types whose binary form is their text, in the connection's encoding. */
    private static final java.util.Set<String> TEXT_TYPES = java.util.Set.of("text", "varchar", "bpchar", "name");

    private static Binary utf8(byte[] bytes) {
        return bytes == null ? null : Binary.fromConstantByteArray(bytes);
    }

    private static Binary utf8(String s) {
        return s == null ? null : Binary.fromConstantByteArray(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** PostgreSQL's epoch, 2000-01-01T00:00:00Z, in microseconds of the Unix epoch. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    /**
     * A binary timestamptz (a big-endian count of microseconds since 2000-01-01 UTC) as microseconds
     * since 1970; {@code infinity} and {@code -infinity}, which no column the job writes holds, are
     * refused rather than written as dates.
     */
    static Long micros(byte[] v) {
        if (v == null) {
            return null;
        }
        long t = 0;
        for (byte b : v) {
            t = (t << 8) | (b & 0xff);
        }
        if (v.length != 8 || t == Long.MAX_VALUE || t == Long.MIN_VALUE) {
            throw new IllegalStateException("a timestamp that is not a finite binary timestamptz (" + v.length + " bytes)");
        }
        return t + PG_EPOCH_MICROS;
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
