package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.BotsCount;
import io.wickrcensus.api.model.UsersCount;
import io.wickrcensus.job.steps.CountReadings.Counts;
import io.wickrcensus.job.steps.CountReadings.Reading;
import io.wickrcensus.job.steps.CountReadings.Staged;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CountReadingsTest {

    private static final CountReadings EXACT = new CountReadings(0);
    private static final CountReadings DEFAULT = new CountReadings(0.005);

    private static Counts counts(long pending, long active, long botsPending, long botsActive) {
        return new Counts(new UsersCount(pending, active, 0, 0, pending + active), new BotsCount(botsPending, botsActive, botsPending + botsActive));
    }

    private static Optional<Reading> reading(CountReadings c, Staged s, Counts after) {
        return c.judge(s, Optional.empty(), after).reading();
    }

    @Test
    void eachReadingOfTheModelIsRecognised() {
        Staged listed = new Staged(10, 90, 1, 4);
        Staged unlisted = new Staged(10, 90, 0, 0);
        assertThat(reading(EXACT, listed, counts(10, 90, 1, 4))).contains(Reading.BOTS_EXCLUDED);
        assertThat(reading(EXACT, listed, counts(11, 94, 1, 4))).contains(Reading.BOTS_INCLUDED);
        assertThat(reading(EXACT, unlisted, counts(10, 90, 1, 4))).contains(Reading.BOTS_UNLISTED);
        assertThat(reading(EXACT, unlisted, counts(11, 94, 1, 4))).contains(Reading.BOTS_UNLISTED_COUNTED);
        // no bots anywhere: every reading agrees, the likeliest is recorded
        assertThat(reading(EXACT, unlisted, counts(10, 90, 0, 0))).contains(Reading.BOTS_EXCLUDED);
    }

    @Test
    void botsThatWereListedRuleOutTheUnlistedReadings() {
        // GetBotsCount says 4, one bot was listed: neither "none listed" nor "4 listed"
        assertThat(EXACT.judge(new Staged(10, 90, 0, 1), Optional.empty(), counts(10, 90, 1, 3)).differences())
                .containsExactly("bots staged 1, reported 4");
    }

    @Test
    void aFewUnlistedBotsAreRecordedAsUnlistedNotAsADifferenceWithinTheAllowance() {
        // 2 bots unlisted: within the 3-user allowance for "bots-excluded", exact for "bots-unlisted"
        assertThat(reading(DEFAULT, new Staged(10, 90, 0, 0), counts(10, 90, 0, 2))).contains(Reading.BOTS_UNLISTED);
    }

    @Test
    void theAllowanceHasAFloorOfAFewUsersAndZeroToleranceIsExact() {
        assertThat(DEFAULT.allowed(150)).isEqualTo(CountReadings.MIN_ALLOWED);
        assertThat(DEFAULT.allowed(100_000)).isEqualTo(500);
        assertThat(EXACT.allowed(100_000)).isZero();
        assertThat(reading(DEFAULT, new Staged(10, 143, 0, 0), counts(10, 140, 0, 0))).contains(Reading.BOTS_EXCLUDED);
        assertThat(reading(DEFAULT, new Staged(10, 144, 0, 0), counts(10, 140, 0, 0))).isEmpty();
        assertThat(reading(EXACT, new Staged(10, 141, 0, 0), counts(10, 140, 0, 0))).isEmpty();
    }

    @Test
    void aFigureBetweenTheReadingsBeforeAndAfterPagingReconciles() {
        Staged staged = new Staged(20, 130, 0, 0);
        Counts before = counts(20, 130, 0, 0);
        Counts after = counts(40, 120, 0, 0); // 20 joined (pending), 10 left, while it was paged
        assertThat(EXACT.judge(staged, Optional.of(before), after).reading()).contains(Reading.BOTS_EXCLUDED);
        assertThat(EXACT.judge(staged, Optional.empty(), after).reading()).isEmpty();
        // between the two, in the middle
        assertThat(EXACT.judge(new Staged(30, 125, 0, 0), Optional.of(before), after).reading()).contains(Reading.BOTS_EXCLUDED);
        // beyond both, by more than the allowance
        List<String> problems = new ArrayList<>();
        DEFAULT.compare("pending", 45, Optional.of(20L), 40, problems);
        assertThat(problems).containsExactly("pending staged 45, reported 40 (20 as paging began)");
    }
}
