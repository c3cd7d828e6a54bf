package io.wickrcensus.emulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the 64-hex-digit unames (and guests' username hashes) of a synthetic network, and reads them
 * back, so the emulator resolves any uname without a table: the first 16 bytes are the AES
 * encryption of (magic, kind, index) under a key derived from the seed and network; the last 16 a
 * keyed digest of the first. A uname the network never issued does not decode.
 */
final class UnameCodec {

    static final byte KIND_USER = 1;
    static final byte KIND_GUEST = 2;
    private static final int MAGIC = 0x576b556e; // "WkUn"
    private static final HexFormat HEX = HexFormat.of();

    /** A decoded uname. */
    record Decoded(byte kind, long index) { }

    private final SecretKeySpec key;
    private final byte[] tailKey;
    private final ThreadLocal<Cipher[]> ciphers;

    UnameCodec(long seed, String networkId) {
        byte[] material = Digests.sha256(("wickr-emulator-uname|" + seed + "|" + networkId).getBytes(StandardCharsets.UTF_8));
        this.key = new SecretKeySpec(Arrays.copyOf(material, 16), "AES");
        this.tailKey = Arrays.copyOfRange(material, 16, 32);
        this.ciphers = ThreadLocal.withInitial(() -> new Cipher[] {cipher(Cipher.ENCRYPT_MODE), cipher(Cipher.DECRYPT_MODE)});
    }

    String encode(byte kind, long index) {
        ByteBuffer block = ByteBuffer.allocate(16).putInt(MAGIC).put(kind).put((byte) 0).putShort((short) 0).putLong(index);
        try {
            byte[] head = ciphers.get()[0].doFinal(block.array());
            return HEX.formatHex(head) + HEX.formatHex(tail(head));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The kind and index a uname stands for, or {@code null} when this network never issued it. */
    Decoded decode(String uname) {
        if (uname == null || uname.length() != 64) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = HEX.parseHex(uname.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
        byte[] head = Arrays.copyOf(bytes, 16);
        if (!MessageDigest.isEqual(tail(head), Arrays.copyOfRange(bytes, 16, 32))) {
            return null;
        }
        try {
            ByteBuffer block = ByteBuffer.wrap(ciphers.get()[1].doFinal(head));
            if (block.getInt() != MAGIC) {
                return null;
            }
            byte kind = block.get();
            block.get();
            block.getShort();
            return new Decoded(kind, block.getLong());
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    private byte[] tail(byte[] head) {
        MessageDigest md = DIGEST.get();
        md.update(head);
        md.update(tailKey);
        return Arrays.copyOf(md.digest(), 16);
    }

    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    });

    private Cipher cipher(int mode) {
        try {
            Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
            c.init(mode, key);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
