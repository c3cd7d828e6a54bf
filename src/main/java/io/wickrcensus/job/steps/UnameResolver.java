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
     * Whether the network has no uname known, resolved or failed, at any time: its first snapshot,
     * before any lookup of its own. Every uname is then unknown until this run looks it up.
     */
    boolean knowsNone(RunContext run);

    /** The unames of committed staged rows, without duplicates, known or not. */
    List<String> staged(RunContext run, StagedRows rows);

    /** Which of the unames (no duplicates) are not known yet, as {@link #unknown} decides it. */
    List<String> unknownOf(RunContext run, List<String> unames);

    /**
     * Looks the unames up, 50 per call, several calls at once under the shared budget, and records
     * the answers in the caller's transaction; a call that failed after its retries is rethrown.
     */
    void resolve(RunContext run, List<String> unames) throws Exception;

    /**
     * Looks the unames up, one call after the other on this thread (for callers that are themselves
     * pool workers), and records nothing: {@link #record} records the answers of many such lookups at once.
     */
    Answers lookUpOnThisThread(RunContext run, List<String> unames) throws Exception;

    /** Records the answers of lookups ({@link #lookUpOnThisThread}) in one statement for the resolved and one for the failed. */
    void record(RunContext run, List<Answers> answers) throws Exception;

    /** What the service answered for some unames: opaque but for their count. */
    interface Answers {
        /** The unames asked. */
        int unames();
    }
}
