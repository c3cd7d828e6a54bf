package io.wickrcensus.emulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;

/**
 * Opaque, tamper-evident {@code nextToken}s. A token carries the listing it belongs to (a
 * fingerprint of the operation, network, filters and sort), the day it was issued for when the
 * order depends on it, and the position to resume at, behind an HMAC: a forged, altered or
 * foreign token is refused rather than silently served.
 */
final class PageTokens {

    /** A decoded token. {@code day} is -1 when the listing's order does not depend on the day. */
    record Cursor(long fingerprint, int day, long position) { }

    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();
    private static final int PAYLOAD = 1 + 8 + 4 + 8;
    private static final int MAC_BYTES = 12;

    private final byte[] key;

    PageTokens(long seed) {
        this.key = Digests.sha256(("wickr-emulator-token|" + seed).getBytes(StandardCharsets.UTF_8));
    }

    String encode(Cursor c) {
        ByteBuffer b = ByteBuffer.allocate(PAYLOAD + MAC_BYTES);
        b.put((byte) 1).putLong(c.fingerprint()).putInt(c.day()).putLong(c.position());
        b.put(mac(Arrays.copyOf(b.array(), PAYLOAD)));
        return ENC.encodeToString(b.array());
    }

    /** The cursor, or {@code null} when the token was not issued by this emulator for this listing. */
    Cursor decode(String token, long expectedFingerprint) {
        byte[] raw;
        try {
            raw = DEC.decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (raw.length != PAYLOAD + MAC_BYTES || raw[0] != 1) {
            return null;
        }
        byte[] payload = Arrays.copyOf(raw, PAYLOAD);
        if (!MessageDigest.isEqual(mac(payload), Arrays.copyOfRange(raw, PAYLOAD, raw.length))) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(payload, 1, PAYLOAD - 1);
        Cursor c = new Cursor(b.getLong(), b.getInt(), b.getLong());
        return c.fingerprint() == expectedFingerprint && c.position() >= 0 ? c : null;
    }

    private byte[] mac(byte[] payload) {
        return Arrays.copyOf(Digests.hmacSha256(key, payload), MAC_BYTES);
    }
}
