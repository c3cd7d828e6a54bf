package io.wickrcensus.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A response body is read whole, whatever its stated length says, in pieces as a socket gives them. */
class ResponseBodyTest {

    /** A stream that hands out at most 3 bytes a read, as a socket may. */
    private static Optional<InputStream> trickle(String body) {
        return Optional.of(new FilterInputStream(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 3));
            }
        });
    }

    private static String read(String body, String contentLength) throws IOException {
        return new String(SignedHttpCaller.readBody(trickle(body), Optional.ofNullable(contentLength)), StandardCharsets.UTF_8);
    }

    @Test
    void aBodyIsReadWholeWhateverItsStatedLength() throws IOException {
        String page = "{\"users\":[{\"userId\":\"a\"}],\"nextToken\":\"t\"}";
        assertThat(read(page, Integer.toString(page.length()))).isEqualTo(page);
        assertThat(read(page, null)).isEqualTo(page);
        assertThat(read(page, " " + page.length() + " ")).isEqualTo(page);
        assertThat(read(page, "not a number")).isEqualTo(page);
        assertThat(read(page, "10")).as("longer than stated").isEqualTo(page);
        assertThat(read(page.substring(0, 7), Integer.toString(page.length()))).as("shorter than stated").isEqualTo(page.substring(0, 7));
        assertThat(read(page, Long.toString(1L << 40))).as("a length too large for one array").isEqualTo(page);
        assertThat(read("", "0")).isEmpty();
        assertThat(SignedHttpCaller.readBody(Optional.empty(), Optional.of("5"))).isEmpty();
    }
}
