package io.wickrcensus.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageTokensTest {

    private final PageTokens tokens = new PageTokens(42);

    @Test
    void aTokenDecodesToTheCursorItWasMadeFrom() {
        PageTokens.Cursor c = new PageTokens.Cursor(123456789L, 7, 4_200L);
        String t = tokens.encode(c);
        assertThat(t).doesNotContain("4200").matches("[A-Za-z0-9_-]+");
        assertThat(tokens.decode(t, 123456789L)).isEqualTo(c);
    }

    @Test
    void aTokenOfAnotherListingIsRefused() {
        String t = tokens.encode(new PageTokens.Cursor(1L, -1, 10));
        assertThat(tokens.decode(t, 2L)).isNull();
    }

    @Test
    void anAlteredOrForeignTokenIsRefused() {
        String t = tokens.encode(new PageTokens.Cursor(1L, -1, 10));
        char[] chars = t.toCharArray();
        chars[5] = chars[5] == 'A' ? 'B' : 'A';
        assertThat(tokens.decode(new String(chars), 1L)).isNull();
        assertThat(new PageTokens(43).decode(t, 1L)).as("another seed's key").isNull();
        assertThat(tokens.decode("not a token!", 1L)).isNull();
        assertThat(tokens.decode("", 1L)).isNull();
    }
}
