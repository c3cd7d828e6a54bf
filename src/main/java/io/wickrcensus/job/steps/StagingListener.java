package io.wickrcensus.job.steps;

import java.util.List;

/**
 * Told about each batch a staging step commits: the port through which work beside staging (the
 * head starts of {@code job.ahead}) follows it. The step owns it and knows no implementation;
 * with no listener the job does the same work, later. A listener may fail or fall behind without
 * failing the step: it must never throw into it.
 *
 * @param <T> the items the step stages
 */
public interface StagingListener<T> {

    /** The step starts (again): staging of its slice begins afresh. */
    default void begin() {
    }

    /**
     * A batch was committed: {@code rows} are now visible to other connections, and {@code items}
     * are what they were staged from, in the order listed. Called on the step's thread; must not block for long.
     */
    void committed(StagedRows rows, List<? extends T> items);

    /**
     * The step ended; {@code whole}: it completed and listed no item twice (by the source's key),
     * so the batches given are the slice's rows, one per key. Told once.
     */
    default void end(boolean whole) {
    }
}
