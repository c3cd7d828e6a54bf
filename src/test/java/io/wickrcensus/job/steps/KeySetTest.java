package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.support.Utf8;
import org.junit.jupiter.api.Test;

class KeySetTest {

    @Test
    void aRepeatIsToldFromANewKeyAcrossTheTableGrowing() {
        KeySet keys = new KeySet();
        for (int i = 0; i < 100_000; i++) {
            assertThat(keys.add(Utf8.of("user-" + i))).as("user-%d is new", i).isTrue();
        }
        assertThat(keys.add(Utf8.of("user-0"))).isFalse();
        assertThat(keys.add(Utf8.of("user-99999"))).isFalse();
        assertThat(keys.add(Utf8.of("user-100000"))).isTrue();
        assertThat(keys.add((Utf8) null)).isTrue();
        assertThat(keys.add((Utf8) null)).isFalse();
        assertThat(keys.add("user-100001")).as("an ASCII key hashes alike as chars and as bytes").isTrue();
        assertThat(keys.add(Utf8.of("user-100001"))).isFalse();
        assertThat(keys.add(Utf8.of("user-5"))).isFalse();
    }
}
