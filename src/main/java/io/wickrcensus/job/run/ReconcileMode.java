package io.wickrcensus.job.run;

/** What a run does when its staged counts and the service's own differ beyond the tolerance ({@code --reconcile}). */
public enum ReconcileMode {
    /** Fail the run before publishing (the default). */
    FAIL,
    /** Publish, and flag the run in the ledger, the {@code runs} view and dataset, and the metrics. */
    WARN,
    /** Record the counts without comparing them. */
    OFF;

    /** The mode unless told otherwise, in the command line's word. */
    public static final String DEFAULT_WORD = "fail";

    /** The mode's word on the command line. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static ReconcileMode parse(String s) {
        for (ReconcileMode m : values()) {
            if (m.word().equals(s)) {
                return m;
            }
        }
        throw new io.wickrcensus.support.SettingException("reconcile", "must be fail, warn or off, got '" + s + "'");
    }
}
