package io.wickrcensus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.wickrcensus.job.run.RunMetrics.Span;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A night's wall time split into start-up, the API-bound phase, the tail and the close, from the steps' spans. */
class PhasesTest {

    private static Instant at(double seconds) {
        return Instant.EPOCH.plusNanos((long) (seconds * 1e9));
    }

    @Test
    void theApiPhaseEndsWithTheLastOfUsersGuestsAndUnamesAndTheTailRunsToTheLastStep() {
        // users and guests overlap; unames ends after both; the tail steps follow
        Map<String, Span> spans = Map.of(
                "users", new Span(at(2.0), at(10.0)),
                "guestPeriod", new Span(at(2.1), at(6.0)),
                "unames", new Span(at(10.0), at(11.5)),
                "reconcile", new Span(at(11.5), at(11.6)),
                "publish", new Span(at(11.6), at(14.0)),
                "parquet", new Span(at(14.0), at(17.0)));
        Bench.Phases p = Bench.Phases.of(at(0), at(17.25), spans);
        assertThat(p.startupSeconds()).isCloseTo(2.0, within(1e-6));
        assertThat(p.apiSeconds()).isCloseTo(9.5, within(1e-6));
        assertThat(p.tailSeconds()).isCloseTo(5.5, within(1e-6));
        assertThat(p.closeSeconds()).isCloseTo(0.25, within(1e-6));
    }

    @Test
    void aRunWithNoStepIsAllStartUp() {
        Bench.Phases p = Bench.Phases.of(at(0), at(3), Map.of());
        assertThat(p.startupSeconds()).isCloseTo(3.0, within(1e-6));
        assertThat(p.apiSeconds() + p.tailSeconds() + p.closeSeconds()).isZero();
    }
}
