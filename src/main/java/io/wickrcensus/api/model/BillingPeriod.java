package io.wickrcensus.api.model;

import java.time.YearMonth;

/** The contract's billing period: a month written {@code YYYY-MM}. */
public final class BillingPeriod {

    private static final java.util.regex.Pattern FORMAT = java.util.regex.Pattern.compile("\\d{4}-(0[1-9]|1[0-2])");

    private BillingPeriod() {
    }

    /** The month, or an {@link IllegalArgumentException} that says what is wrong with the text. */
    public static YearMonth parse(String period) {
        if (period == null || !FORMAT.matcher(period).matches()) {
            throw new IllegalArgumentException("'" + period + "' is not a billing period in the form YYYY-MM");
        }
        return YearMonth.parse(period);
    }
}
