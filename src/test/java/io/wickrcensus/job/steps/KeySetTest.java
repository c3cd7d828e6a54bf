package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeySetTest {

    @Test
    void aRepeatIsToldFromANewKeyAcrossTheTableGrowing() {
        KeySet keys = new KeySet();
        for (int i = 0; i < 100_000; i++) {
            assertThat(keys.add("user-" + i)).as("user-%d is new", i).isTrue();
        }
        assertThat(keys.add("user-0")).isFalse();
        assertThat(keys.add("user-99999")).isFalse();
        assertThat(keys.add("user-100000")).isTrue();
        assertThat(keys.add(null)).isTrue();
        assertThat(keys.add(null)).isFalse();
    }
}
