package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AdaptiveRateLimiterTest {

    @Test
    void aThrottleHalvesTheBudgetAndSuccessesGrowItBackToTheCeiling() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(100);
        assertThat(limiter.rate()).isEqualTo(100);

        limiter.throttled();
        assertThat(limiter.rate()).isEqualTo(50);
        limiter.throttled();
        assertThat(limiter.rate()).isEqualTo(25);

        limiter.succeeded(); // + a twentieth of the ceiling per success
        assertThat(limiter.rate()).isEqualTo(30);
        for (int i = 0; i < 100; i++) {
            limiter.succeeded();
        }
        assertThat(limiter.rate()).as("never above the ceiling").isEqualTo(100);
    }

    @Test
    void theBudgetNeverFallsBelowOneCallPerSecond() {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(4);
        for (int i = 0; i < 10; i++) {
            limiter.throttled();
        }
        assertThat(limiter.rate()).isEqualTo(1);
    }

    @Test
    void callersAreSpacedByTheBudgetAndPagingUsesItUpFirst() throws Exception {
        AdaptiveRateLimiter limiter = new AdaptiveRateLimiter(50); // one call per 20 ms
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            limiter.acquire();
        }
        long spaced = (System.nanoTime() - start) / 1_000_000;
        assertThat(spaced).as("5 calls at 50/s take 4 intervals").isGreaterThanOrEqualTo(75);

        AdaptiveRateLimiter paged = new AdaptiveRateLimiter(50);
        for (int i = 0; i < 5; i++) {
            paged.consume(); // five pages went out without waiting
        }
        start = System.nanoTime();
        paged.acquire();
        assertThat((System.nanoTime() - start) / 1_000_000).as("a lookup waits behind the pages' slots").isGreaterThanOrEqualTo(75);
    }

    @Test
    void aCeilingOfZeroTurnsItOff() throws Exception {
        AdaptiveRateLimiter off = new AdaptiveRateLimiter(0);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            off.consume();
            off.acquire();
        }
        off.throttled();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
        assertThat(off.rate()).isZero();
    }
}
