package io.wickrcensus.job.steps;

import io.wickrcensus.job.run.RunContext;
import java.util.List;

/**
 * Resolves unames to usernames and remembers the answers: the head start while staging pages
 * ({@link UnameHeadStart}) and the uname step ({@link UnamesTasklet}) both go through it.
 */
public interface UnameResolver {

    /** The unames of committed staged rows that are not known yet, without duplicates. */
    List<String> unknown(RunContext run, StagedRows rows);

    /**
     * Looks the unames up, 50 per call, several calls at once under the shared budget, and records
     * the answers in the caller's transaction; a call that failed after its retries is rethrown.
     */
    void resolve(RunContext run, List<String> unames) throws Exception;

    /** The same, one call after the other on this thread (for callers that are themselves pool workers). */
    void resolveOnThisThread(RunContext run, List<String> unames) throws Exception;
}
