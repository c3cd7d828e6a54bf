package io.wickrcensus.job.steps;

import io.wickrcensus.db.StagedUsers;
import io.wickrcensus.db.UserColumn;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunLedger.HistoryMark;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The run's list of staged users that differ from the network's current history
 * ({@code census.stage_user_change}), kept batch by batch as the users step stages them, while the
 * step waits on the API anyway, so that publish versions only those users instead of comparing the
 * whole roster again. The list is made against the history of one {@link HistoryMark}
 * ({@code census.stage_user_baseline}); publish trusts it only while that mark still holds.
 *
 * <p>A user is listed when some staged row of theirs differed from their current version, or they
 * had none. Publish takes each listed user's last staged row (a user staged twice is listed if
 * either copy differed) and versions it if it still differs; every user whose last staged row
 * equals their current version is left alone, and that user's rows all equalled it when staged.
 */
public final class StagedChanges {

    /**
     * One probe of the current version per staged row (LATERAL with LIMIT: a nested loop on the
     * index, whatever the statistics say), so that a batch costs the same however large the history.
     */
    private static final String LIST = "INSERT INTO census.stage_user_change (run_id, seq, user_id) "
            + "SELECT s.run_id, s.seq, s.user_id FROM census.stage_user s "
            + "LEFT JOIN LATERAL (SELECT * FROM census.user_version cv "
            + "  WHERE cv.network_id = ? AND cv.user_id = s.user_id AND cv.valid_to IS NULL LIMIT 1) v ON true "
            + "WHERE s.run_id = ? AND s.seq >= ? AND s.seq < ? "
            + "AND (v.user_id IS NULL OR (" + UserColumn.names(UserColumn.FIELDS, "s") + ") IS DISTINCT FROM ("
            + UserColumn.names(UserColumn.FIELDS, "v") + "))";

    private final RunContext run;
    private final RunLedger ledger;
    private boolean listing;

    public StagedChanges(RunContext run, RunLedger ledger) {
        this.run = run;
        this.ledger = ledger;
    }

    /**
     * As the users step starts (again): drops any earlier list of the run and, when the network has a
     * published snapshot, starts a new one against its history as it stands.
     */
    public void begin(JdbcTemplate jdbc) {
        clear(jdbc, run.runId());
        Optional<HistoryMark> mark = ledger.historyMark(run.networkId());
        mark.ifPresent(m -> jdbc.update("INSERT INTO census.stage_user_baseline (run_id, published_seq, retracted_seq) VALUES (?, ?, ?)",
                run.runId(), m.publishedSeq(), m.retractedSeq()));
        listing = mark.isPresent();
    }

    /** In the batch's own transaction: lists its staged rows, {@code seq} in {@code [from, to)}, that differ. */
    public void batch(JdbcTemplate jdbc, long from, long to) {
        if (listing) {
            jdbc.update(LIST, run.networkId(), run.runId(), from, to);
        }
    }

    /**
     * Under the publishing lock, with the network's {@code current} mark: whether the run has a list
     * made against that history. Without one (a run staged by an earlier version of the job, or a
     * publish or retraction of the network since its users step began) publish compares the whole
     * roster.
     */
    static boolean listedAgainst(JdbcTemplate jdbc, RunContext run, HistoryMark current) {
        List<HistoryMark> base = jdbc.query("SELECT published_seq, retracted_seq FROM census.stage_user_baseline WHERE run_id = ?",
                (rs, i) -> new HistoryMark(rs.getLong(1), rs.getObject(2, Long.class)), run.runId());
        return base.equals(List.of(current));
    }

    /** The users step completed without listing a user twice: each staged user has one row ({@code census.stage_user_once}). */
    public void listedOnce(JdbcTemplate jdbc) {
        jdbc.update("INSERT INTO census.stage_user_once (run_id) VALUES (?) ON CONFLICT DO NOTHING", run.runId());
    }

    /** Whether the run's users step recorded that it staged each user once; see {@link #listedOnce(JdbcTemplate)}. */
    static boolean listedOnce(JdbcTemplate jdbc, long runId) {
        return !jdbc.queryForList("SELECT 1 FROM census.stage_user_once WHERE run_id = ?", Integer.class, runId).isEmpty();
    }

    /**
     * Each staged user's last row, {@code s.*} ({@code run_id} the first parameter), of the users
     * {@code filter} keeps; see {@link StagedUsers#lastRows}, with whether the users step staged
     * each user once ({@link #listedOnce(JdbcTemplate, long)}).
     */
    static String lastStaged(String filter, boolean listedOnce) {
        return StagedUsers.lastRows("s.*", filter, listedOnce);
    }

    /** Drops the run's list, with its staging. */
    static void clear(JdbcTemplate jdbc, long runId) {
        jdbc.update("DELETE FROM census.stage_user_change WHERE run_id = ?", runId);
        jdbc.update("DELETE FROM census.stage_user_baseline WHERE run_id = ?", runId);
        jdbc.update("DELETE FROM census.stage_user_once WHERE run_id = ?", runId);
    }
}
