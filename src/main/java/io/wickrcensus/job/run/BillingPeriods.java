package io.wickrcensus.job.run;

import io.wickrcensus.api.model.BillingPeriod;
import io.wickrcensus.support.SettingException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Which billing periods a run covers. */
public final class BillingPeriods {

    private BillingPeriods() {
    }

    /**
     * The periods: the explicit list when given, else the {@code count} months ending with the
     * as-of month (UTC), oldest first; by default {@link RunSettings#DEFAULT_BILLING_PERIOD_COUNT}:
     * the as-of month and the one before.
     */
    public static List<YearMonth> resolve(LocalDate asOf, List<String> explicit, Integer count) {
        if (explicit != null && !explicit.isEmpty() && count != null) {
            throw new SettingException("billingPeriods", "cannot be combined with a billing period count: give one or the other, not both");
        }
        TreeSet<YearMonth> out = new TreeSet<>();
        if (explicit != null && !explicit.isEmpty()) {
            for (String p : explicit) {
                out.add(BillingPeriod.parse(p.trim()));
            }
            YearMonth asOfMonth = YearMonth.from(asOf);
            for (YearMonth p : out) {
                if (p.isAfter(asOfMonth)) {
                    throw new SettingException("billingPeriods", "name " + p + ", which is after the as-of date " + asOf);
                }
            }
            return new ArrayList<>(out);
        }
        int n = count == null ? RunSettings.DEFAULT_BILLING_PERIOD_COUNT : count;
        if (n < 1 || n > 36) {
            throw new SettingException("billingPeriodCount", "must be between 1 and 36, got " + n);
        }
        YearMonth m = YearMonth.from(asOf);
        for (int i = 0; i < n; i++) {
            out.add(m.minusMonths(i));
        }
        return new ArrayList<>(out);
    }
}
