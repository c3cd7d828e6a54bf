package io.wickrcensus.support;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Eight bytes at a time: a word of a byte array, and tests of all its bytes at once (the classic
 * bit tricks, as in "Bit Twiddling Hacks"), for the scans over bytes that C1-compiled code runs a
 * byte at a time several times slower: the COPY encoder's check for what it escapes, and the
 * ListUsers reader's search for a string's end. Each test is exact about whether some byte matches
 * (it may flag a byte above one that does as well, so a flagged word is looked at byte by byte).
 */
public final class Bytes {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private Bytes() {
    }

    /** The eight bytes of {@code b} from {@code i} on (there must be eight), the first in the lowest bits. */
    public static long word(byte[] b, int i) {
        return (long) LONGS.get(b, i);
    }

    /** A word of eight copies of {@code c}. */
    public static long repeated(char c) {
        return ONES * (c & 0xff);
    }

    /** Non-zero when some byte of {@code w} equals the byte {@code repeated} repeats. */
    public static long any(long w, long repeated) {
        long x = w ^ repeated;
        return (x - ONES) & ~x & HIGHS;
    }

    /** Non-zero when some byte of {@code w} is below {@code n} (at most 128), as an unsigned byte. */
    public static long anyBelow(long w, int n) {
        return (w - ONES * n) & ~w & HIGHS;
    }

    /** Non-zero when some byte of {@code w} is 128 or more (a byte of a multi-byte UTF-8 character). */
    public static long anyHigh(long w) {
        return w & HIGHS;
    }
}
