package io.wickrcensus.db;

import io.wickrcensus.support.Bytes;
import io.wickrcensus.support.Utf8;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import org.postgresql.PGConnection;

/**
 * Rows for PostgreSQL's COPY in text format: the bulk path, several times faster than batched
 * INSERTs. Values are escaped as COPY requires; {@code null} is {@code \N}; string lists become
 * array literals.
 */
public final class PgCopy {

    private static final byte[] NULL = {'\\', 'N'};
    private static final byte[] NULL_ELEMENT = {'N', 'U', 'L', 'L'};

    /**
     * The rows as the UTF-8 bytes COPY reads, encoded value by value: no string of the whole batch
     * (which one name outside Latin-1 turned into UTF-16 for all of it) and no second copy to bytes.
     */
    private byte[] buf = new byte[1 << 16];
    private int len;
    private boolean rowStarted;
    private int rows;

    /**
     * The next value of the row. Strings (a {@link Utf8} as its bytes are), booleans, numbers and
     * lists of strings, the staged columns' types, are written straight into the buffer: no
     * {@code toString} and no byte array per boolean or number, and a list's array literal escaped
     * for COPY as it is written.
     */
    public PgCopy value(Object v) {
        if (rowStarted) {
            put((byte) '\t');
        }
        rowStarted = true;
        if (v == null) {
            put(NULL);
        } else if (v instanceof Utf8 u) {
            escape(u.array(), u.offset(), u.length());
        } else if (v instanceof String s) {
            escape(s.getBytes(StandardCharsets.UTF_8));
        } else if (v instanceof Boolean b) {
            put(b ? (byte) 't' : (byte) 'f');
        } else if (v instanceof Integer i) {
            putLong(i);
        } else if (v instanceof Long l) {
            putLong(l);
        } else if (v instanceof List<?> list) {
            putArray(list);
        } else {
            escape(v.toString().getBytes(StandardCharsets.UTF_8));
        }
        return this;
    }

    /** The same for a number, unboxed. */
    public PgCopy value(long v) {
        if (rowStarted) {
            put((byte) '\t');
        }
        rowStarted = true;
        putLong(v);
        return this;
    }

    public PgCopy endRow() {
        put((byte) '\n');
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
                    new ByteArrayInputStream(buf, 0, len));
        } catch (IOException e) {
            throw new SQLException("COPY into " + tableAndColumns + " failed: " + e.getMessage(), e);
        }
    }

    private void put(byte b) {
        if (len == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[len++] = b;
    }

    private void put(byte[] b) {
        put(b, 0, b.length);
    }

    private void put(byte[] b, int from, int n) {
        reserve(n);
        System.arraycopy(b, from, buf, len, n);
        len += n;
    }

    /** Room for {@code n} more bytes. */
    private void reserve(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }

    /** A number's decimal digits, written in place. */
    private void putLong(long v) {
        if (v == Long.MIN_VALUE) {
            put("-9223372036854775808".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        reserve(20);
        if (v < 0) {
            buf[len++] = '-';
            v = -v;
        }
        int digits = 1;
        for (long p = 10; digits < 19 && v >= p; p *= 10) {
            digits++;
        }
        int end = len + digits;
        for (int i = end - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len = end;
    }

    /** Whether a byte is one that COPY's text format escapes (all four are ASCII, as no byte of a multi-byte character is). */
    private static boolean special(byte b) {
        return b == '\\' || (b <= '\r' && (b == '\t' || b == '\n' || b == '\r'));
    }

    /**
     * A value's UTF-8 bytes as COPY's text format escapes them; one with nothing to escape (the
     * common case) is copied whole. The check runs over the bytes, once: four {@code indexOf}
     * passes over the string took twice as long in C1-compiled code, which has no intrinsic for them.
     */
    private void escape(byte[] bytes) {
        escape(bytes, 0, bytes.length);
    }

    /** The same for {@code bytes[from .. from + n)}. */
    private void escape(byte[] bytes, int from, int n) {
        int end = from + n;
        int i = firstSpecial(bytes, from, end, false);
        if (i == end) {
            put(bytes, from, n);
            return;
        }
        reserve(2 * n);
        System.arraycopy(bytes, from, buf, len, i - from);
        len += i - from;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (special(b)) {
                buf[len++] = '\\';
                buf[len++] = escaped(b);
            } else {
                buf[len++] = b;
            }
        }
    }

    /** The index of the first byte of {@code bytes[from .. end)} COPY escapes (or, {@code inArray}, an array literal too), or {@code end}. */
    private static int firstSpecial(byte[] bytes, int from, int end, boolean inArray) {
        int i = from;
        // eight bytes a step: no byte below 14 and no backslash (nor quote) in the word, and none of its bytes need a look
        for (int last = end - 7; i < last; i += 8) {
            long w = Bytes.word(bytes, i);
            long flagged = Bytes.anyBelow(w, '\r' + 1) | Bytes.any(w, BACKSLASHES);
            if (inArray) {
                flagged |= Bytes.any(w, QUOTES);
            }
            if (flagged != 0) {
                break;
            }
        }
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b <= '\\' && (special(b) || (inArray && b == '"'))) {
                return i;
            }
        }
        return end;
    }

    private static final long BACKSLASHES = Bytes.repeated('\\');
    private static final long QUOTES = Bytes.repeated('"');

    /** The letter after the backslash that stands for a special byte. */
    private static byte escaped(byte b) {
        return switch (b) {
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\r' -> 'r';
            default -> b;
        };
    }

    /**
     * A list of strings as an array literal ({@code {"a","b",NULL}}), escaped for COPY as it is
     * written: within an element a quote or a backslash takes a backslash for the literal, and every
     * backslash is then doubled for COPY.
     */
    private void putArray(List<?> list) {
        put((byte) '{');
        for (int k = 0; k < list.size(); k++) {
            if (k > 0) {
                put((byte) ',');
            }
            Object o = list.get(k);
            if (o == null) {
                put(NULL_ELEMENT);
                continue;
            }
            Utf8 u = o instanceof Utf8 given ? given : Utf8.of(o.toString());
            byte[] bytes = u.array();
            int end = u.offset() + u.length();
            reserve(4 * u.length() + 2);
            buf[len++] = '"';
            int i = firstSpecial(bytes, u.offset(), end, true);
            System.arraycopy(bytes, u.offset(), buf, len, i - u.offset());
            len += i - u.offset();
            for (; i < end; i++) {
                byte b = bytes[i];
                if (b == '"') {
                    buf[len++] = '\\';
                    buf[len++] = '\\';
                    buf[len++] = '"';
                } else if (b == '\\') {
                    buf[len++] = '\\';
                    buf[len++] = '\\';
                    buf[len++] = '\\';
                    buf[len++] = '\\';
                } else if (special(b)) {
                    buf[len++] = '\\';
                    buf[len++] = escaped(b);
                } else {
                    buf[len++] = b;
                }
            }
            buf[len++] = '"';
        }
        put((byte) '}');
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
