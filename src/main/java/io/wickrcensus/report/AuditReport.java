package io.wickrcensus.report;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit report of one network: the roster as of a date and as of an earlier one, every change
 * the published snapshots in between observed (events, from {@code census.user_events}: a change
 * made and undone between the two dates is two events), the unames the as-of snapshot held that no
 * lookup had resolved by then, and the re-invitations between the two dates, one row per user.
 *
 * <p>Dates resolve to published snapshots the way {@code census.roster_as_of} does: the latest
 * snapshot taken on or before the date. Reads the audit views only.
 */
public record AuditReport(String networkId, LocalDate asOf, long runId, LocalDate snapshotDate, LocalDate since, LocalDate sinceSnapshotDate,
                          Summary summary, Summary sinceSummary, Map<String, Long> changeCounts, List<Change> changes,
                          List<UnresolvedUname> unresolvedUnames, Map<String, Long> reinvitationCounts,
                          List<Reinvitation> reinvitations, List<Retraction> retractions,
                          List<ReconcileWarning> reconcileWarnings, Bots bots) {

    /**
     * The bots of the as-of snapshot: how many the roster holds (ListUsers listed them), how many
     * GetBotsCount reported, and which reading of the service's counts matched
     * ({@code census.runs.users_count_reading}; null when none did or the counts were not compared).
     */
    public record Bots(long listed, Long reported, String usersCountReading) {
        /** ListUsers listed no bot while the service counts some apart. */
        public boolean unlisted() {
            return usersCountReading != null && usersCountReading.startsWith("bots-unlisted");
        }
    }

    /** The retractions of snapshots after the since-snapshot and up to the as-of one: the window's. */
    public List<Retraction> retractionsInWindow() {
        return retractions.stream().filter(x -> sinceSnapshotDate == null || x.snapshotDate().isAfter(sinceSnapshotDate)).toList();
    }

    /** The event kinds of {@code census.user_events}, in the order the report counts them. */
    public static final List<String> CHANGE_KINDS = List.of("joined", "left", "admin_granted", "admin_revoked", "suspended",
            "reinstated", "status_changed", "groups_changed", "username_changed", "otp_enabled", "otp_disabled", "invite_expired");

    /** The re-invitation outcomes of {@code census.reinvitation}. */
    public static final List<String> REINVITATION_OUTCOMES = List.of("REINVITED", "UNCONFIRMED", "FAILED", "PENDING", "SKIPPED_CAP", "DRY_RUN");

    /**
     * Roster counts: status 2 is active, 1 pending (invited); expired invitations are pending ones.
     * {@code users} counts the bots the roster holds ({@code isUser} false; where it is absent, a
     * username ending in {@code bot}), and {@code bots} counts them alone.
     */
    public record Summary(long users, long bots, long active, long pending, long suspended, long admins, long otpOff,
                          long expiredInvitations) {
    }

    /** One event: the snapshot that first observed it, the user, the kind, and the value before and after. */
    public record Change(LocalDate snapshotDate, String userId, String username, String change, String before, String after) {
    }

    public record UnresolvedUname(String uname, String field, String reason) {
    }

    /**
     * The re-invitations of one user in the window: how many were sent, on which snapshot dates,
     * the last outcome (with its field and reason when it failed), and whether they were dry runs
     * only (then nothing was sent, and {@code dates} are the nights that would have).
     */
    public record Reinvitation(String userId, int sent, String dates, String outcome, String field, String reason, boolean dryRun) {
    }

    /** A snapshot of the network that was published and then retracted ({@code wickr-census retract}). */
    public record Retraction(LocalDate snapshotDate, String retractedAt, String retractedBy, String reason) {
    }

    /** A snapshot published although its counts did not reconcile ({@code --reconcile=warn}), and how they differed. */
    public record ReconcileWarning(LocalDate snapshotDate, String detail) {
    }

    /** Thrown when the network has no published snapshot on or before the as-of date. */
    public static final class NoSnapshotException extends RuntimeException {
        public NoSnapshotException(String message) {
            super(message);
        }
    }

    /**
     * Reads the report. {@code since} null means the snapshot before the as-of one; when there is
     * none, every user of the roster is reported as joined.
     */
    public static AuditReport load(Connection c, String network, LocalDate asOf, LocalDate since) throws SQLException {
        if (since != null && since.isAfter(asOf)) {
            throw new IllegalArgumentException("--since (" + since + ") is after --as-of (" + asOf + ")");
        }
        long runId;
        LocalDate snapshot;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT run_id, snapshot_date FROM census.published_runs
                WHERE network_id = ? AND snapshot_date <= ? ORDER BY snapshot_date DESC LIMIT 1
                """)) {
            ps.setString(1, network);
            ps.setDate(2, Date.valueOf(asOf));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NoSnapshotException("network " + network + " has no published snapshot on or before " + asOf);
                }
                runId = rs.getLong(1);
                snapshot = rs.getDate(2).toLocalDate();
            }
        }
        LocalDate sinceSnapshot;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT max(snapshot_date) FROM census.published_runs
                WHERE network_id = ? AND (snapshot_date <= ?::date OR (?::date IS NULL AND snapshot_date < ?))
                """)) {
            Date d = since == null ? null : Date.valueOf(since);
            ps.setString(1, network);
            ps.setDate(2, d);
            ps.setDate(3, d);
            ps.setDate(4, Date.valueOf(snapshot));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Date s = rs.getDate(1);
                sinceSnapshot = s == null ? null : s.toLocalDate();
            }
        }
        Summary summary = summary(c, network, snapshot);
        Summary sinceSummary = sinceSnapshot == null ? null : summary(c, network, sinceSnapshot);
        List<Change> changes;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT snapshot_date, user_id, username, kind, before, after FROM census.user_events(?, ?, ?)
                ORDER BY snapshot_date, array_position(?::text[], kind), user_id COLLATE "C"
                """)) {
            ps.setString(1, network);
            // with no snapshot to compare with, from the first: everyone joined
            ps.setDate(2, sinceSnapshot == null ? null : Date.valueOf(sinceSnapshot));
            ps.setDate(3, Date.valueOf(snapshot));
            ps.setArray(4, c.createArrayOf("text", CHANGE_KINDS.toArray()));
            changes = Sql.list(ps, rs -> new Change(rs.getDate(1).toLocalDate(), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6)));
        }
        List<UnresolvedUname> unresolved;
        try (PreparedStatement ps = c.prepareStatement("""
                WITH held AS (
                    SELECT uname, 'uname' AS field FROM census.roster_by_run WHERE run_id = ? AND uname IS NOT NULL
                    UNION
                    SELECT username_hash, 'usernameHash' FROM census.guests_by_run WHERE run_id = ?),
                done AS (SELECT finished_at FROM census.runs WHERE run_id = ?)
                SELECT h.uname, h.field,
                       (SELECT f.reason FROM census.uname_lookup_failures f
                        WHERE f.network_id = ? AND f.uname = h.uname AND f.snapshot_date <= ?
                        ORDER BY f.failed_at DESC LIMIT 1)
                FROM held h
                WHERE NOT EXISTS (SELECT 1 FROM census.unames u, done
                                  WHERE u.network_id = ? AND u.uname = h.uname AND u.first_resolved_at <= done.finished_at)
                ORDER BY h.uname COLLATE "C"
                """)) {
            ps.setLong(1, runId);
            ps.setLong(2, runId);
            ps.setLong(3, runId);
            ps.setString(4, network);
            ps.setDate(5, Date.valueOf(snapshot));
            ps.setString(6, network);
            unresolved = Sql.list(ps, rs -> new UnresolvedUname(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
        List<Reinvitation> reinvitations;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT user_id, count(*) FILTER (WHERE outcome <> 'DRY_RUN'),
                       string_agg(DISTINCT snapshot_date::text, ' '),
                       (array_agg(outcome ORDER BY snapshot_date DESC))[1],
                       (array_agg(field ORDER BY snapshot_date DESC))[1],
                       (array_agg(reason ORDER BY snapshot_date DESC))[1],
                       bool_and(outcome = 'DRY_RUN')
                FROM census.reinvitations
                WHERE network_id = ? AND snapshot_date <= ? AND (?::date IS NULL OR snapshot_date > ?::date)
                GROUP BY user_id ORDER BY user_id COLLATE "C"
                """)) {
            Date from = sinceSnapshot == null ? null : Date.valueOf(sinceSnapshot);
            ps.setString(1, network);
            ps.setDate(2, Date.valueOf(snapshot));
            ps.setDate(3, from);
            ps.setDate(4, from);
            reinvitations = Sql.list(ps, rs -> new Reinvitation(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getString(4),
                    rs.getString(5), rs.getString(6), rs.getBoolean(7)));
        }
        List<Retraction> retractions;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT snapshot_date, to_char(retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), retracted_by, retraction_reason
                FROM census.runs WHERE network_id = ? AND status = 'RETRACTED' AND snapshot_date <= ? ORDER BY snapshot_date
                """)) {
            ps.setString(1, network);
            ps.setDate(2, Date.valueOf(asOf));
            retractions = Sql.list(ps, rs -> new Retraction(rs.getDate(1).toLocalDate(), rs.getString(2), rs.getString(3), rs.getString(4)));
        }
        List<ReconcileWarning> warnings;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT snapshot_date, reconcile_detail FROM census.runs
                WHERE network_id = ? AND status = 'PUBLISHED' AND reconcile_outcome = 'warned'
                  AND snapshot_date <= ? AND (?::date IS NULL OR snapshot_date > ?::date)
                ORDER BY snapshot_date
                """)) {
            Date from = sinceSnapshot == null ? null : Date.valueOf(sinceSnapshot);
            ps.setString(1, network);
            ps.setDate(2, Date.valueOf(snapshot));
            ps.setDate(3, from);
            ps.setDate(4, from);
            warnings = Sql.list(ps, rs -> new ReconcileWarning(rs.getDate(1).toLocalDate(), rs.getString(2)));
        }
        Map<String, Long> changeCounts = counts(CHANGE_KINDS);
        changes.forEach(ch -> changeCounts.merge(ch.change(), 1L, Long::sum));
        Map<String, Long> outcomeCounts = counts(REINVITATION_OUTCOMES);
        reinvitations.forEach(r -> outcomeCounts.merge(r.outcome(), 1L, Long::sum));
        Bots bots;
        try (PreparedStatement ps = c.prepareStatement("SELECT bots_reported, users_count_reading FROM census.runs WHERE run_id = ?")) {
            ps.setLong(1, runId);
            bots = Sql.list(ps, rs -> new Bots(summary.bots(), (Long) rs.getObject(1), rs.getString(2))).get(0);
        }
        return new AuditReport(network, asOf, runId, snapshot, since, sinceSnapshot, summary, sinceSummary, changeCounts, changes, unresolved,
                outcomeCounts, reinvitations, retractions, warnings, bots);
    }

    /** The roster counts of the network's published snapshot of {@code date}. */
    private static Summary summary(Connection c, String network, LocalDate date) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), count(*) FILTER (WHERE coalesce(NOT is_user, username LIKE '%bot')),
                       count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE status = 1),
                       count(*) FILTER (WHERE suspended), count(*) FILTER (WHERE is_admin),
                       count(*) FILTER (WHERE NOT coalesce(otp_enabled, false)),
                       count(*) FILTER (WHERE status = 1 AND is_invite_expired)
                FROM census.roster_by_run WHERE network_id = ? AND snapshot_date = ?
                """)) {
            ps.setString(1, network);
            ps.setDate(2, Date.valueOf(date));
            return Sql.list(ps, rs -> new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                    rs.getLong(6), rs.getLong(7), rs.getLong(8))).get(0);
        }
    }

    private static Map<String, Long> counts(List<String> keys) {
        Map<String, Long> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, 0L));
        return m;
    }
}
