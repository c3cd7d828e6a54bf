package io.wickrcensus.job.steps;

import io.wickrcensus.support.Utf8;

/**
 * Keys seen (the user ids a users step staged), as 64-bit hashes in an open-addressing table: 8
 * bytes a key, not a string, 16 MB at 1,000,000 users. A collision of two keys reads as a repeat,
 * which only costs the optimisations that need no repeat ({@link StagingTasklet}).
 */
public final class KeySet {

    private long[] slots = new long[1 << 12];
    private int size;

    /** Adds the key's hash; false if it was there already (the key, or one of the same hash, was added before). */
    public boolean add(String key) {
        return addHash(hash(key));
    }

    /**
     * The same for a key as its UTF-8 bytes (a user id as the page listed it). An ASCII key hashes
     * alike either way; a set is meant to be given its keys one way only.
     */
    public boolean add(Utf8 key) {
        return addHash(hash(key));
    }

    private boolean addHash(long h) {
        if (h == 0) {
            h = 1; // 0 marks an empty slot
        }
        if (2 * (size + 1) > slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        for (int i = (int) h & mask; ; i = (i + 1) & mask) {
            if (slots[i] == 0) {
                slots[i] = h;
                size++;
                return true;
            }
            if (slots[i] == h) {
                return false;
            }
        }
    }

    /** The hashes added. */
    public int size() {
        return size;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        int mask = slots.length - 1;
        for (long h : old) {
            if (h != 0) {
                int i = (int) h & mask;
                while (slots[i] != 0) {
                    i = (i + 1) & mask;
                }
                slots[i] = h;
            }
        }
    }

    /** FNV-1a over the chars, then {@link #spread}. */
    static long hash(String s) {
        long h = FNV_BASIS;
        if (s == null) {
            return h;
        }
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= FNV_PRIME;
        }
        return spread(h);
    }

    /** FNV-1a over the bytes, then {@link #spread}. */
    static long hash(Utf8 key) {
        long h = FNV_BASIS;
        if (key == null) {
            return h;
        }
        byte[] b = key.array();
        for (int i = key.offset(), end = i + key.length(); i < end; i++) {
            h ^= b[i] & 0xff;
            h *= FNV_PRIME;
        }
        return spread(h);
    }

    private static final long FNV_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** A 64-bit finaliser (splitmix64) to spread the low bits the table indexes by. */
    private static long spread(long h) {
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 31);
    }
}
