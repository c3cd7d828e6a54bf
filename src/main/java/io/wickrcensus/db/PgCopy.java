package io.wickrcensus.db;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Rows for PostgreSQL's COPY in text format: the bulk path, several times faster than batched
 * INSERTs. Values are escaped as COPY requires; {@code null} is {@code \N}; string lists become
 * array literals.
 */
public final class PgCopy {

    private final StringBuilder sb = new StringBuilder(1 << 16);
    private boolean rowStarted;
    private int rows;

    public PgCopy value(Object v) {
        if (rowStarted) {
            sb.append('\t');
        }
        rowStarted = true;
        if (v == null) {
            sb.append("\\N");
        } else if (v instanceof List<?> list) {
            escape(arrayLiteral(list));
        } else {
            escape(v.toString());
        }
        return this;
    }

    public PgCopy endRow() {
        sb.append('\n');
        rowStarted = false;
        rows++;
        return this;
    }

    /** Sends the rows with {@code COPY table (columns) FROM STDIN} on the given connection (its transaction). */
    public long copyInto(Connection connection, String tableAndColumns) throws SQLException {
        if (rows == 0) {
            return 0;
        }
        try {
            return connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + tableAndColumns + " FROM STDIN",
                    new ByteArrayInputStream(sb.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new SQLException("COPY into " + tableAndColumns + " failed: " + e.getMessage(), e);
        }
    }

    private void escape(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf('\t') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            sb.append(s); // nothing to escape, the common case: copied whole
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
    }

    /** A PostgreSQL array literal of the list's strings ({@code {"a","b",NULL}}), for COPY or a {@code CAST(? AS text[])}. */
    public static String arrayLiteral(List<?> list) {
        StringBuilder a = new StringBuilder("{");
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                a.append(',');
            }
            Object o = list.get(i);
            if (o == null) {
                a.append("NULL");
            } else {
                a.append('"');
                String s = o.toString();
                if (s.indexOf('"') < 0 && s.indexOf('\\') < 0) {
                    a.append(s); // the common case, copied whole: a char at a time was a tenth of a 1M-user run's CPU
                } else {
                    for (int k = 0; k < s.length(); k++) {
                        char c = s.charAt(k);
                        if (c == '"' || c == '\\') {
                            a.append('\\');
                        }
                        a.append(c);
                    }
                }
                a.append('"');
            }
        }
        return a.append('}').toString();
    }
}
