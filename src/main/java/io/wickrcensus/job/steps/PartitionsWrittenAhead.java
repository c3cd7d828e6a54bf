package io.wickrcensus.job.steps;

import io.wickrcensus.parquet.WriteAhead;

/**
 * Parquet partitions of the run written before the Parquet step (the head start of
 * {@code job.ahead}), which the step takes and makes the datasets' instead of writing them again.
 * {@link #NONE}, the step's own default, has none: the step writes every partition from what
 * PostgreSQL holds.
 */
public interface PartitionsWrittenAhead {

    /** Nothing is written ahead. */
    PartitionsWrittenAhead NONE = runId -> null;

    /**
     * The partitions written ahead for {@code runId}, waiting for their writers if still writing,
     * or null when there are none. Once taken they are the caller's to export or close.
     */
    WriteAhead.Prepared take(long runId) throws InterruptedException;
}
