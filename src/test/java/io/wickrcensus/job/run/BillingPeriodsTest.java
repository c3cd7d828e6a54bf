package io.wickrcensus.job.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;

class BillingPeriodsTest {

    @Test
    void byDefaultTheAsOfMonthAndTheOneBefore() {
        assertThat(BillingPeriods.resolve(LocalDate.parse("2026-01-03"), List.of(), null))
                .containsExactly(YearMonth.of(2025, 12), YearMonth.of(2026, 1));
    }

    @Test
    void aCountOfMonthsEndingWithTheAsOfMonth() {
        assertThat(BillingPeriods.resolve(LocalDate.parse("2026-11-22"), List.of(), 3))
                .containsExactly(YearMonth.of(2026, 9), YearMonth.of(2026, 10), YearMonth.of(2026, 11));
        assertThatThrownBy(() -> BillingPeriods.resolve(LocalDate.parse("2026-11-22"), List.of(), 0))
                .hasMessageContaining("between 1 and 36");
    }

    @Test
    void anExplicitListSortedAndDeduplicated() {
        assertThat(BillingPeriods.resolve(LocalDate.parse("2026-11-22"), List.of("2026-11", "2026-09", "2026-11"), null))
                .containsExactly(YearMonth.of(2026, 9), YearMonth.of(2026, 11));
    }

    @Test
    void malformedFutureOrConflictingPeriodsAreRefused() {
        LocalDate d = LocalDate.parse("2026-11-22");
        assertThatThrownBy(() -> BillingPeriods.resolve(d, List.of("2026-13"), null)).hasMessageContaining("'2026-13'");
        assertThatThrownBy(() -> BillingPeriods.resolve(d, List.of("26-11"), null)).hasMessageContaining("YYYY-MM");
        assertThatThrownBy(() -> BillingPeriods.resolve(d, List.of("2026-12"), null)).hasMessageContaining("after the as-of date");
        assertThatThrownBy(() -> BillingPeriods.resolve(d, List.of("2026-11"), 2)).hasMessageContaining("not both");
    }
}
