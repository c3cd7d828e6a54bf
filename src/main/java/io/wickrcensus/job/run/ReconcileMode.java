package io.wickrcensus.job.run;

/** What a run does when its staged counts and the service's own differ beyond the tolerance ({@code --reconcile}). */
public enum ReconcileMode {
    /** Fail the run before publishing (the default). */
    FAIL,
    /** Publish, and flag the run in the ledger, the {@code runs} view and dataset, and the metrics. */
    WARN,
    /** Record the counts without comparing them. */
    OFF;

    public static ReconcileMode parse(String s) {
        return switch (s) {
            case "fail" -> FAIL;
            case "warn" -> WARN;
            case "off" -> OFF;
            default -> throw new IllegalArgumentException("--reconcile must be fail, warn or off, got '" + s + "'");
        };
    }
}
