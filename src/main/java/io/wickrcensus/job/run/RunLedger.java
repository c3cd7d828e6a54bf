package io.wickrcensus.job.run;

import io.wickrcensus.api.model.BotsCount;
import io.wickrcensus.api.model.UsersCount;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The run ledger, {@code census.run} and {@code census.run_period}: the only code that writes them.
 * A run is opened by its launch, gathers its counts as the steps go, and ends {@link RunStatus#PUBLISHED}
 * or {@link RunStatus#FAILED}; a published run stays published.
 */
@Component
public class RunLedger {

    /** One run as the ledger holds it. */
    public record Run(long runId, String networkId, LocalDate asOf, List<YearMonth> billingPeriods, RunStatus status,
                      boolean parquetExported, boolean retractionParquetDone, boolean icebergCommitted, boolean retractionIcebergDone) {
        public boolean published() {
            return status == RunStatus.PUBLISHED;
        }
    }

    /**
     * Where a network's history stands: the publish sequence numbers of its latest published and of
     * its latest retracted run. Every publish and every retraction of the network moves one of them
     * past any value it had before, so an equal mark means the same current versions.
     */
    public record HistoryMark(long publishedSeq, Long retractedSeq) {
    }

    private static final String PUBLISHED = RunStatus.PUBLISHED.name();

    private final JdbcTemplate jdbc;

    public RunLedger(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Run> find(String networkId, LocalDate asOf) {
        return jdbc.query("SELECT run_id, network_id, as_of, billing_periods, status, parquet_exported_at, retraction_parquet_at, iceberg_committed_at, retraction_iceberg_at FROM census.run WHERE network_id = ? AND as_of = ?",
                RunLedger::run, networkId, asOf).stream().findFirst();
    }

    public Run get(long runId) {
        return jdbc.queryForObject("SELECT run_id, network_id, as_of, billing_periods, status, parquet_exported_at, retraction_parquet_at, iceberg_committed_at, retraction_iceberg_at FROM census.run WHERE run_id = ?",
                RunLedger::run, runId);
    }

    /** Opens the run (or counts another attempt of it) and returns it. */
    public Run open(String networkId, LocalDate asOf, List<YearMonth> periods) {
        String[] ps = periods.stream().map(YearMonth::toString).toArray(String[]::new);
        Long runId = jdbc.queryForObject("""
                INSERT INTO census.run (network_id, as_of, billing_periods) VALUES (?, ?, ?)
                ON CONFLICT (network_id, as_of) DO UPDATE
                   SET attempts = census.run.attempts + 1, last_error = NULL,
                       status = CASE WHEN census.run.status IN (?, ?) THEN census.run.status ELSE ? END,
                       finished_at = CASE WHEN census.run.status IN (?, ?) THEN census.run.finished_at END
                RETURNING run_id""", Long.class, networkId, asOf, ps, PUBLISHED, RunStatus.RETRACTED.name(), RunStatus.STARTED.name(),
                PUBLISHED, RunStatus.RETRACTED.name());
        for (String p : ps) {
            jdbc.update("INSERT INTO census.run_period (run_id, billing_period) VALUES (?, ?) ON CONFLICT DO NOTHING", runId, p);
        }
        return get(runId);
    }

    public void attachExecution(long runId, long jobExecutionId) {
        jdbc.update("UPDATE census.run SET job_execution_id = ? WHERE run_id = ?", jobExecutionId, runId);
    }

    public void parquetExported(long runId) {
        jdbc.update("UPDATE census.run SET parquet_exported_at = now() WHERE run_id = ?", runId);
    }

    public void failed(long runId, String error) {
        jdbc.update("UPDATE census.run SET status = ?, finished_at = now(), last_error = ? WHERE run_id = ? AND status <> ?",
                RunStatus.FAILED.name(), error, runId, PUBLISHED);
    }

    /**
     * Removes a run the service refused to start (rejected credentials, an unknown network), with
     * its staging, so that it neither shows as a FAILED run to auditors nor pins the billing periods
     * of its date. Only a run of which nothing must stay goes: not published, with no re-invitation
     * recorded (audit) and no failed uname lookup (a later run's {@code unames_known_since} may
     * count on it; the failures go with their run). Returns whether it was removed.
     */
    public boolean discardRefused(long runId) {
        Long removed = jdbc.queryForObject("""
                WITH gone AS (DELETE FROM census.run r WHERE r.run_id = ? AND r.status <> ?
                                AND NOT EXISTS (SELECT 1 FROM census.reinvitation x WHERE x.run_id = r.run_id)
                                AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f WHERE f.run_id = r.run_id)
                              RETURNING r.run_id),
                     users AS (DELETE FROM census.stage_user s USING gone WHERE s.run_id = gone.run_id),
                     guests AS (DELETE FROM census.stage_guest g USING gone WHERE g.run_id = gone.run_id),
                     changes AS (DELETE FROM census.stage_user_change c USING gone WHERE c.run_id = gone.run_id),
                     baseline AS (DELETE FROM census.stage_user_baseline b USING gone WHERE b.run_id = gone.run_id),
                     once AS (DELETE FROM census.stage_user_once o USING gone WHERE o.run_id = gone.run_id)
                SELECT count(*) FROM gone""", Long.class, runId, PUBLISHED);
        return removed != null && removed > 0;
    }

    /** The run's status, read in the caller's transaction. */
    public RunStatus status(long runId) {
        return RunStatus.valueOf(jdbc.queryForObject("SELECT status FROM census.run WHERE run_id = ?", String.class, runId));
    }

    /**
     * What reconcile found: users (bots included) staged and GetUsersCount's total, bots staged and
     * GetBotsCount's total, the reading of GetUsersCount that matched (or null), the outcome
     * ({@code matched}, {@code warned}, {@code off}) and, when counts differed, how.
     */
    public void reconciled(long runId, long usersStaged, long usersReported, long botsStaged, long botsReported, String reading,
                           String outcome, String detail) {
        jdbc.update("""
                UPDATE census.run SET users_staged = ?, users_reported = ?, bots_staged = ?, bots_reported = ?,
                       users_count_reading = ?, reconcile_outcome = ?, reconcile_detail = ?
                WHERE run_id = ?""", usersStaged, usersReported, botsStaged, botsReported, reading, outcome, detail, runId);
    }

    /** The service's counts as the users step began paging: what reconcile judges the staged roster against, with the later reading. */
    public void countsBefore(long runId, UsersCount users, BotsCount bots) {
        jdbc.update("""
                UPDATE census.run SET users_pending_before = ?, users_active_before = ?, users_reported_before = ?,
                       bots_pending_before = ?, bots_active_before = ?, bots_reported_before = ?
                WHERE run_id = ?""", users.pending(), users.active(), users.total(), bots.pending(), bots.active(), bots.total(), runId);
    }

    /** What {@link #countsBefore} recorded for the run's last users step, if anything. */
    public Optional<java.util.Map.Entry<UsersCount, BotsCount>> countsBefore(long runId) {
        return jdbc.query("""
                SELECT users_pending_before, users_active_before, users_reported_before,
                       bots_pending_before, bots_active_before, bots_reported_before
                FROM census.run WHERE run_id = ? AND users_reported_before IS NOT NULL""",
                (rs, i) -> java.util.Map.entry(new UsersCount(rs.getLong(1), rs.getLong(2), 0, 0, rs.getLong(3)),
                        new BotsCount(rs.getLong(4), rs.getLong(5), rs.getLong(6))), runId).stream().findFirst();
    }

    /** The guests staged for a billing period and the service's count of them (null when it no longer reports one). */
    public void guestCounts(long runId, String billingPeriod, long staged, Long reported) {
        jdbc.update("UPDATE census.run_period SET guests_staged = ?, guests_reported = ? WHERE run_id = ? AND billing_period = ?",
                staged, reported, runId, billingPeriod);
    }

    /** Counts what the run resolved into the uname directory and the lookups that failed. */
    public void unameCounts(long runId, String networkId) {
        jdbc.update("""
                UPDATE census.run SET
                  unames_resolved = (SELECT count(*) FROM census.uname_directory WHERE network_id = ? AND last_run_id = ?),
                  unames_failed = (SELECT count(*) FROM census.uname_lookup_failure WHERE run_id = ?)
                WHERE run_id = ?""", networkId, runId, runId, runId);
    }

    /**
     * Locks the publish counter's row until the caller's (publish) transaction ends: publishes run
     * one at a time. Only roles that may update the census schema can take this lock.
     */
    public void lockPublishing() {
        jdbc.queryForObject("SELECT last FROM census.publish_counter WHERE id = 1 FOR UPDATE", Long.class);
    }

    /** The next publish sequence number, in the caller's (publish) transaction; a rollback returns it. */
    public long nextPublishSeq() {
        return jdbc.queryForObject("UPDATE census.publish_counter SET last = last + 1 WHERE id = 1 RETURNING last", Long.class);
    }

    /** Marks the run published with its publish sequence number, in the caller's (publish) transaction. */
    public void published(long runId, long publishSeq) {
        jdbc.update("UPDATE census.run SET status = ?, publish_seq = ?, finished_at = now(), last_error = NULL WHERE run_id = ?",
                PUBLISHED, publishSeq, runId);
    }

    /**
     * Retracts a published run in the caller's transaction (which also undoes its history): it is
     * no longer published, and says when, why and by whom.
     */
    public void retracted(long runId, String by, String reason) {
        jdbc.update("UPDATE census.run SET status = ?, retracted_at = now(), retracted_by = ?, retraction_reason = ? "
                + "WHERE run_id = ? AND status = ?", RunStatus.RETRACTED.name(), by, reason, runId, PUBLISHED);
    }

    /** The retracted run's Parquet partitions are gone and the datasets that listed it rewritten. */
    /** The run's night is in the Iceberg tables (its last table, runs, committed). */
    public void icebergCommitted(long runId) {
        jdbc.update("UPDATE census.run SET iceberg_committed_at = now() WHERE run_id = ?", runId);
    }

    /** The run's retraction is in the Iceberg tables. */
    public void retractionIcebergDone(long runId) {
        jdbc.update("UPDATE census.run SET retraction_iceberg_at = now() WHERE run_id = ?", runId);
    }

    public void retractionParquetDone(long runId) {
        jdbc.update("UPDATE census.run SET retraction_parquet_at = now() WHERE run_id = ?", runId);
    }

    /** The publish sequence number of a published (or retracted) run. */
    public long publishSeq(long runId) {
        return jdbc.queryForObject("SELECT publish_seq FROM census.run WHERE run_id = ?", Long.class, runId);
    }

    /** The network's history mark, if it has a published snapshot. */
    public Optional<HistoryMark> historyMark(String networkId) {
        return jdbc.query("SELECT max(publish_seq) FILTER (WHERE status = ?), max(publish_seq) FILTER (WHERE status = ?) "
                        + "FROM census.run WHERE network_id = ?",
                (rs, i) -> rs.getObject(1) == null ? null : new HistoryMark(rs.getLong(1), rs.getObject(2, Long.class)),
                PUBLISHED, RunStatus.RETRACTED.name(), networkId).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** The as-of date of the latest published run of the network, if any. */
    public Optional<LocalDate> latestPublished(String networkId) {
        return jdbc.query("SELECT max(as_of) FROM census.run WHERE network_id = ? AND status = ?",
                (rs, i) -> rs.getObject(1, LocalDate.class), networkId, PUBLISHED).stream().filter(java.util.Objects::nonNull).findFirst();
    }

    private static Run run(ResultSet rs, int i) throws SQLException {
        Array a = rs.getArray("billing_periods");
        List<YearMonth> periods = new ArrayList<>();
        for (String p : (String[]) a.getArray()) {
            periods.add(YearMonth.parse(p));
        }
        return new Run(rs.getLong("run_id"), rs.getString("network_id"), rs.getObject("as_of", LocalDate.class),
                List.copyOf(periods), RunStatus.valueOf(rs.getString("status")), rs.getObject("parquet_exported_at") != null,
                rs.getObject("retraction_parquet_at") != null, rs.getObject("iceberg_committed_at") != null,
                rs.getObject("retraction_iceberg_at") != null);
    }
}
