package io.wickrcensus.support;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A string as UTF-8 bytes where they already are: a slice of a larger array (a ListUsers page as
 * it was received), taken as is by the COPY encoder and the Parquet writer, so that a value read
 * from a page is never built into a {@code String} only to be encoded back to the same bytes.
 * The slice must hold well-formed UTF-8 and must not change while the value is in use; equality is
 * that of the bytes.
 */
public final class Utf8 {

    private final byte[] bytes;
    private final int offset;
    private final int length;

    /** The bytes {@code bytes[offset .. offset + length)}, not copied. */
    public Utf8(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + bytes.length + " bytes");
        }
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
    }

    /** A string's UTF-8 bytes, in an array of their own. */
    public static Utf8 of(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return new Utf8(b, 0, b.length);
    }

    /** The array the bytes are in (shared: not to be changed). */
    public byte[] array() {
        return bytes;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Utf8 u && Arrays.equals(bytes, offset, offset + length, u.bytes, u.offset, u.offset + u.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    /** The string the bytes encode. */
    @Override
    public String toString() {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
