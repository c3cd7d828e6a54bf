package io.wickrcensus.job.steps;

import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.faults.CrashPoints;
import io.wickrcensus.db.UserColumn;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import java.time.LocalDate;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Step 6, publish: in the step's one transaction, merges the staged snapshot into the versioned
 * history (a new version only where something changed, closing the versions of users and guests
 * that are gone), marks the run published with the next publish sequence number, and clears its
 * staging. Readers see the previous snapshot until the commit, then this one. The users compared
 * are those {@link StagedChanges} listed while staging, when that list was made against the history
 * still current; otherwise every staged user.
 */
public class PublishTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(PublishTasklet.class);

    /** The columns of a user's version besides its key: a change in any of them makes a new version. */
    private static final String USER_FIELDS = UserColumn.names(UserColumn.FIELDS, "");

    /**
     * Closes the current version of each user in {@code publish_user} whose fields differ from it:
     * the versions are found by one probe of the current-version index per user (LATERAL with LIMIT,
     * a nested loop whatever the planner's settings), and updated by their row ids, so that the cost
     * follows the users compared, not the network's history.
     */
    private static final String CLOSE_LISTED = "UPDATE census.user_version v SET valid_to = ? "
            + "WHERE v.ctid = ANY (ARRAY(SELECT cv.ctid FROM publish_user s CROSS JOIN LATERAL ("
            + "SELECT cv.ctid, " + prefixed("cv") + " FROM census.user_version cv "
            + "WHERE cv.network_id = ? AND cv.user_id = s.user_id AND cv.valid_to IS NULL LIMIT 1) cv "
            + "WHERE (" + prefixed("s") + ") IS DISTINCT FROM (" + prefixed("cv") + "))) "
            + "AND v.network_id = ? AND v.valid_to IS NULL";

    private final JdbcTemplate jdbc;
    private final RunLedger ledger;
    private final RunMetrics metrics;

    public PublishTasklet(JdbcTemplate jdbc, RunLedger ledger, RunMetrics metrics) {
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.ledger = ledger;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        RunContext run = RunContext.of(contribution.getStepExecution());
        // publishes run one at a time (the ledger's counter row stays locked until this transaction ends),
        // and the run is read under that lock
        ledger.lockPublishing();
        RunLedger.Run ledgered = ledger.get(run.runId());
        if (ledgered.published()) {
            log.info("network {}: run {} is already published", run.networkId(), run.runId());
            return RepeatStatus.FINISHED;
        }
        LocalDate asOf = ledgered.asOf();
        // a rollback gives the number back: the sequence has no gaps
        long seq = ledger.nextPublishSeq();
        LocalDate later = ledger.latestPublished(run.networkId()).filter(d -> d.isAfter(asOf)).orElse(null);
        if (later != null) {
            throw new IllegalStateException("network " + run.networkId() + " already has a published snapshot of " + later
                    + ", later than " + asOf + ": snapshots are published in date order, so this one can no longer be published");
        }
        // Set operations: hash joins. A nested loop probing the history while this transaction inserts
        // into it rescans every new index entry (a first publish of 100,000 users took minutes, quadratic
        // in the roster), and the history's statistics may still say it is empty. No ANALYZE: it cost
        // more than the comparison it planned (1.0 of a 2.3 s publish at 100,000 users).
        jdbc.execute("SET LOCAL enable_nestloop = off");
        // No JIT: under that setting a plan that must still loop (a listed night's LATERAL probes) costs
        // 10^10 or more, far above jit_above_cost, and PostgreSQL compiled each such statement with LLVM:
        // 0.1-0.25 s a statement whatever its size, 0.4 s of a 100-user night
        jdbc.execute("SET LOCAL jit = off");

        // the users to compare: each one's last staged row, of every staged user or only of those the
        // users step listed as differing from the history that is still current; on a network's first
        // snapshot every staged user is new, and goes straight into the history
        Optional<RunLedger.HistoryMark> mark = ledger.historyMark(run.networkId());
        boolean once = StagedChanges.listedOnce(jdbc, run.runId());
        String insertUsers = "INSERT INTO census.user_version (network_id, user_id, valid_from, " + USER_FIELDS + ") "
                + "SELECT ?, s.user_id, ?, " + prefixed("s") + " FROM ";
        String compared; // for the log: which users were compared
        int newUsers;
        int closedUsers = 0;
        if (mark.isEmpty()) {
            compared = "a first snapshot, all new";
            newUsers = jdbc.update(insertUsers + "(" + StagedChanges.lastStaged("", once) + ") s", run.networkId(), seq, run.runId());
        } else {
            boolean listed = StagedChanges.listedAgainst(jdbc, run, mark.get());
            jdbc.execute("CREATE TEMP TABLE IF NOT EXISTS publish_user (LIKE census.stage_user) ON COMMIT DROP");
            jdbc.update("TRUNCATE publish_user");
            int n = listed
                    ? jdbc.update("INSERT INTO publish_user " + StagedChanges.lastStaged(
                            "AND s.user_id IN (SELECT c.user_id FROM census.stage_user_change c WHERE c.run_id = ?) ", once), run.runId(), run.runId())
                    : jdbc.update("INSERT INTO publish_user " + StagedChanges.lastStaged("", once), run.runId());
            compared = n + " compared, " + (listed ? "those listed as changed while staging" : "the whole staged roster");
            long departed = listed && once ? departures(run) : -1;
            if (listed) {
                // the listed users only: one probe of the current version each, instead of a hash join
                // over every current version of the network (2.1 s at 1M users for 1% churn)
                closedUsers = jdbc.update(CLOSE_LISTED, seq, run.networkId(), run.networkId());
            } else {
                closedUsers = jdbc.update("UPDATE census.user_version v SET valid_to = ? FROM publish_user s "
                        + "WHERE v.network_id = ? AND v.valid_to IS NULL AND v.user_id = s.user_id "
                        + "AND (" + prefixed("s") + ") IS DISTINCT FROM (" + prefixed("v") + ")", seq, run.networkId());
            }
            if (departed != 0) {
                closedUsers += jdbc.update("UPDATE census.user_version v SET valid_to = ? "
                        + "WHERE v.network_id = ? AND v.valid_to IS NULL "
                        + "AND NOT EXISTS (SELECT 1 FROM census.stage_user s WHERE s.run_id = ? AND s.user_id = v.user_id)",
                        seq, run.networkId(), run.runId());
            }
            newUsers = listed
                    ? jdbc.update(insertUsers + "publish_user s LEFT JOIN LATERAL (SELECT true AS current FROM census.user_version cv "
                            + "WHERE cv.network_id = ? AND cv.user_id = s.user_id AND cv.valid_to IS NULL LIMIT 1) cv ON true "
                            + "WHERE cv.current IS NULL", run.networkId(), seq, run.networkId())
                    : jdbc.update(insertUsers + "publish_user s WHERE NOT EXISTS (SELECT 1 FROM census.user_version v "
                            + "WHERE v.network_id = ? AND v.user_id = s.user_id AND v.valid_to IS NULL)", run.networkId(), seq, run.networkId());
        }

        int closedGuests = jdbc.update("""
                UPDATE census.guest_version g SET valid_to = ?
                WHERE g.network_id = ? AND g.valid_to IS NULL
                  AND g.billing_period IN (SELECT billing_period FROM census.run_period WHERE run_id = ?)
                  AND NOT EXISTS (SELECT 1 FROM census.stage_guest s
                                  WHERE s.run_id = ? AND s.billing_period = g.billing_period
                                    AND s.username_hash = g.username_hash AND s.username IS NOT DISTINCT FROM g.username)""",
                seq, run.networkId(), run.runId(), run.runId());
        int newGuests = jdbc.update("""
                INSERT INTO census.guest_version (network_id, billing_period, username_hash, username, valid_from)
                SELECT DISTINCT ON (s.billing_period, s.username_hash) ?, s.billing_period, s.username_hash, s.username, ?
                FROM census.stage_guest s
                WHERE s.run_id = ?
                  AND NOT EXISTS (SELECT 1 FROM census.guest_version g
                                  WHERE g.network_id = ? AND g.billing_period = s.billing_period
                                    AND g.username_hash = s.username_hash AND g.valid_to IS NULL)
                ORDER BY s.billing_period, s.username_hash, s.seq DESC""", run.networkId(), seq, run.runId(), run.networkId());

        ledger.published(run.runId(), seq);
        jdbc.update("DELETE FROM census.stage_guest WHERE run_id = ?", run.runId());
        StagedChanges.clear(jdbc, run.runId());
        // last: truncated when no other run has staged users, the table's lock then held only until the commit
        jdbc.queryForObject("SELECT census.clear_staged_users(?)", Boolean.class, run.runId());
        CrashPoints.reach("publish.before-commit");
        metrics.rows("user_version", newUsers);
        metrics.rows("guest_version", newGuests);
        log.info("network {}: published run {} (users: {}; {} new or changed, {} closed; guests: {} new, {} closed)",
                run.networkId(), run.runId(), compared, newUsers, closedUsers, newGuests, closedGuests);
        return RepeatStatus.FINISHED;
    }

    /**
     * How many current versions belong to users this run did not stage, counted without comparing
     * the two rosters: each current version is a user of its own (a unique index), and with each
     * user staged once, the staged users holding one are the staged rows less those without one;
     * the difference is the users who left. Counted before publish closes or adds any version; when
     * it is 0 (most nights) the anti-join over both rosters (1.2 s at 1M users) is not run.
     */
    private long departures(RunContext run) {
        Long n = jdbc.queryForObject("""
                SELECT (SELECT count(*) FROM census.user_version WHERE network_id = ? AND valid_to IS NULL)
                     - (SELECT count(*) FROM census.stage_user WHERE run_id = ?)
                     + (SELECT count(*) FROM publish_user s LEFT JOIN LATERAL (
                            SELECT true AS current FROM census.user_version cv
                            WHERE cv.network_id = ? AND cv.user_id = s.user_id AND cv.valid_to IS NULL LIMIT 1) cv ON true
                        WHERE cv.current IS NULL)""", Long.class, run.networkId(), run.runId(), run.networkId());
        return n == null ? -1 : n;
    }

    private static String prefixed(String alias) {
        return UserColumn.names(UserColumn.FIELDS, alias);
    }
}
