package io.wickrcensus.job.run;

/** Where a run stands in the ledger ({@code census.run.status}). */
public enum RunStatus {
    /** Opened by a launch; not (yet) published. */
    STARTED,
    /** The last launch failed; relaunching resumes it. */
    FAILED,
    /** Its snapshot is visible to readers. */
    PUBLISHED,
    /** It was published, then retracted: its history versions are undone and no view shows it. Final. */
    RETRACTED
}
