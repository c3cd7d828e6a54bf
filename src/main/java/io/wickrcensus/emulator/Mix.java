package io.wickrcensus.emulator;

import java.nio.charset.StandardCharsets;

/** Stateless 64-bit hashing (splitmix64 finaliser): the same inputs give the same bits on every JVM. */
final class Mix {

    private Mix() {
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A hash of (key, a, b, salt). */
    static long hash(long key, long a, long b, long salt) {
        return mix(key ^ mix(a * 0x9E3779B97F4A7C15L ^ mix(b * 0xC2B2AE3D27D4EB4FL + salt * 0x632BE59BD9B4E019L)));
    }

    /** A double in [0, 1) from a hash. */
    static double unit(long h) {
        return (h >>> 11) * 0x1.0p-53;
    }

    /** A non-negative int below {@code bound} from a hash. */
    static int below(long h, int bound) {
        return (int) Long.remainderUnsigned(h, bound);
    }

    /** A stable 64-bit hash of a string (FNV-1a over UTF-8, then mixed). */
    static long ofString(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }
}
