package io.wickrcensus.job.steps;

import io.wickrcensus.job.run.RunContext;
import java.time.Instant;
import java.util.List;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Resolves unames to usernames and remembers the answers: the one way the uname step
 * ({@link UnamesTasklet}) and the head start of lookups while staging pages ({@code job.ahead})
 * both ask which unames are unknown, look them up and record what the service said.
 */
public interface UnameResolver {

    /** The unames of committed staged rows that are not known yet, without duplicates. */
    List<String> unknown(RunContext run, StagedRows rows);

    /**
     * If the network has no uname known, resolved or failed, at any time (its first snapshot, before
     * any lookup of its own): the database's time when that was found, else null. Every uname is then
     * unknown until this run looks it up, and every answer of the network is recorded after that time.
     */
    Instant knowsNoneAt(RunContext run);

    /**
     * Whether the users step lists the run's staged users that differ from the network's current
     * history ({@code census.stage_user_change}, a later snapshot): {@link #unknownChanged} then
     * reads only those.
     */
    default boolean listsChanges(RunContext run) {
        return false;
    }

    /**
     * The unknown unames of the users among {@code rows} (of {@code census.stage_user}) that the
     * users step listed as new or changed, without duplicates: a cost in proportion to what changed.
     * It says nothing of the unchanged users' unames, which may have grown stale since: see
     * {@link #unchangedKnownSince}.
     */
    default List<String> unknownChanged(RunContext run, StagedRows rows) {
        return unknown(run, rows);
    }

    /**
     * When the users step listed the run's changes against a roster that stayed the network's
     * current one since (no publish or retraction in between, the last event a publish), and every
     * uname of that roster was known since a time still within the freshness window: that time.
     * Every unchanged user's uname is then known, and only the changed users' unames need reading.
     * Null otherwise (the uname step reads the whole snapshot).
     */
    default Instant unchangedKnownSince(RunContext run) {
        return null;
    }

    /**
     * At the end of the uname step, in its last transaction (every uname of the snapshot is known by
     * then): records the time since which every uname of the run's staged users is known, for the
     * next run's {@link #unchangedKnownSince}. {@code knewNoneAt}: the network knew no uname at that
     * time ({@link #knowsNoneAt}), so every answer it has came later; else {@code unchangedSince}: only
     * the changed users' unames were read, and the others were known since then ({@link
     * #unchangedKnownSince}); else (both null) the whole snapshot is read for it.
     */
    default void recordKnownSince(RunContext run, Instant knewNoneAt, Instant unchangedSince) {
    }

    /** The unames of committed staged rows, without duplicates, known or not. */
    List<String> staged(RunContext run, StagedRows rows);

    /** Which of the unames (no duplicates) are not known yet, as {@link #unknown} decides it. */
    List<String> unknownOf(RunContext run, List<String> unames);

    /**
     * A cursor over every unknown uname of the run's whole staged snapshot (users' uname, guests'
     * username hash), for the uname step when the head start did not read every staged row; the
     * caller opens and closes it.
     */
    ItemStreamReader<String> unknownInSnapshot(RunContext run);

    /** Sends the unames' calls, 50 a call, several at once under the shared budget; {@link #record(RunContext, Calls)} waits for them. */
    Calls submit(RunContext run, List<String> unames);

    /**
     * Waits for the calls and records their answers in the caller's transaction; a call that
     * failed after its retries is rethrown, and the others are cancelled.
     */
    void record(RunContext run, Calls calls) throws Exception;

    /**
     * Looks the unames up, one call after the other on this thread (for callers that are themselves
     * pool workers), and records nothing: {@link #record(RunContext, List)} records the answers of many such lookups at once.
     */
    Answers lookUpOnThisThread(RunContext run, List<String> unames) throws Exception;

    /** Records the answers of lookups ({@link #lookUpOnThisThread}) in one statement for the resolved and one for the failed. */
    void record(RunContext run, List<Answers> answers) throws Exception;

    /** Lookups under way ({@link #submit}): sent and not recorded yet. */
    interface Calls {
        /** The unames asked. */
        int unames();

        /** Gives the calls up (the step failed or stopped): their answers will not be recorded. */
        void cancel();
    }

    /** What the service answered for some unames: opaque but for their count. */
    interface Answers {
        /** The unames asked. */
        int unames();
    }
}
