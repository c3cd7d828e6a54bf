package io.wickrcensus.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time tests say whether some byte matches exactly: never a miss, never a false alarm for the word as a whole. */
class BytesTest {

    @Test
    void eachTestFlagsAWordExactlyWhenSomeByteMatches() {
        Random r = new Random(3);
        byte[] b = new byte[8];
        for (int n = 0; n < 200_000; n++) {
            for (int k = 0; k < 8; k++) {
                // bytes near the edges the tests draw: controls, the quote, the backslash, 127/128, 255
                b[k] = (byte) (r.nextInt(3) == 0 ? new int[] {0, 1, 9, 13, 14, 31, 32, '"', '\\', 127, 128, 129, 255}[r.nextInt(13)]
                        : r.nextInt(256));
            }
            long w = Bytes.word(b, 0);
            for (char c : new char[] {'"', '\\', 0, 255}) {
                boolean some = false;
                for (byte x : b) {
                    some |= (x & 0xff) == c;
                }
                assertThat(Bytes.any(w, Bytes.repeated(c)) != 0).as("any %d in %s", (int) c, java.util.Arrays.toString(b)).isEqualTo(some);
            }
            for (int limit : new int[] {1, 14, 32, 128}) {
                boolean some = false;
                for (byte x : b) {
                    some |= (x & 0xff) < limit;
                }
                assertThat(Bytes.anyBelow(w, limit) != 0).as("below %d in %s", limit, java.util.Arrays.toString(b)).isEqualTo(some);
            }
            boolean high = false;
            for (byte x : b) {
                high |= x < 0;
            }
            assertThat(Bytes.anyHigh(w) != 0).isEqualTo(high);
        }
    }

    @Test
    void aWordIsItsBytesTheFirstLowest() {
        byte[] b = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        assertThat(Bytes.word(b, 1)).isEqualTo(0x0908070605040302L);
    }
}
