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
 * The audit report of one network: the roster as of a date, what changed since an earlier date,
 * the unames no lookup has resolved, and the re-invitations sent between the two dates.
 *
 * <p>Dates resolve to published snapshots the way {@code census.roster_as_of} does: the latest
 * snapshot taken on or before the date. Reads the audit views only.
 */
public record AuditReport(String networkId, LocalDate asOf, LocalDate snapshotDate, LocalDate since, LocalDate sinceSnapshotDate,
                          Summary summary, Map<String, Long> changeCounts, List<Change> changes,
                          List<UnresolvedUname> unresolvedUnames, Map<String, Long> reinvitationCounts,
                          List<Reinvitation> reinvitations, List<Retraction> retractions,
                          List<ReconcileWarning> reconcileWarnings) {

    /** The change kinds of {@code census.change_kinds}, in the order the report lists them. */
    public static final List<String> CHANGE_KINDS =
            List.of("joined", "left", "admin_granted", "admin_revoked", "suspended", "reinstated", "status_changed");

    /** The re-invitation outcomes of {@code census.reinvitation}. */
    public static final List<String> REINVITATION_OUTCOMES = List.of("REINVITED", "FAILED", "PENDING", "SKIPPED_CAP", "DRY_RUN");

    /** Roster counts: status 2 is active, 1 pending (invited); expired invitations are pending ones. */
    public record Summary(long users, long active, long pending, long suspended, long admins, long otpOff, long expiredInvitations) {
    }

    public record Change(String userId, String change, String username) {
    }

    public record UnresolvedUname(String uname, String field, String reason) {
    }

    public record Reinvitation(LocalDate snapshotDate, String userId, String outcome, String field, String reason) {
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
        Summary summary;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT count(*), count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE status = 1),
                       count(*) FILTER (WHERE suspended), count(*) FILTER (WHERE is_admin),
                       count(*) FILTER (WHERE NOT coalesce(otp_enabled, false)),
                       count(*) FILTER (WHERE status = 1 AND is_invite_expired)
                FROM census.roster_by_run WHERE run_id = ?
                """)) {
            ps.setLong(1, runId);
            summary = Sql.list(ps, rs -> new Summary(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                    rs.getLong(6), rs.getLong(7))).get(0);
        }
        List<Change> changes;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT user_id, change, username FROM census.changes_between(?, ?, ?)
                ORDER BY array_position(?::text[], change), user_id COLLATE "C"
                """)) {
            ps.setString(1, network);
            // before any snapshot when there is none to compare with: everyone joined
            ps.setDate(2, Date.valueOf(sinceSnapshot == null ? LocalDate.of(1, 1, 1) : sinceSnapshot));
            ps.setDate(3, Date.valueOf(snapshot));
            ps.setArray(4, c.createArrayOf("text", CHANGE_KINDS.toArray()));
            changes = Sql.list(ps, rs -> new Change(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
        List<UnresolvedUname> unresolved;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT uname, field, reason FROM census.unresolved_unames WHERE network_id = ? ORDER BY uname COLLATE "C"
                """)) {
            ps.setString(1, network);
            unresolved = Sql.list(ps, rs -> new UnresolvedUname(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
        List<Reinvitation> reinvitations;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT snapshot_date, user_id, outcome, field, reason FROM census.reinvitations
                WHERE network_id = ? AND snapshot_date <= ? AND (?::date IS NULL OR snapshot_date > ?::date)
                ORDER BY snapshot_date, user_id COLLATE "C"
                """)) {
            Date from = sinceSnapshot == null ? null : Date.valueOf(sinceSnapshot);
            ps.setString(1, network);
            ps.setDate(2, Date.valueOf(snapshot));
            ps.setDate(3, from);
            ps.setDate(4, from);
            reinvitations = Sql.list(ps, rs -> new Reinvitation(rs.getDate(1).toLocalDate(), rs.getString(2), rs.getString(3),
                    rs.getString(4), rs.getString(5)));
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
        return new AuditReport(network, asOf, snapshot, since, sinceSnapshot, summary, changeCounts, changes, unresolved,
                outcomeCounts, reinvitations, retractions, warnings);
    }

    private static Map<String, Long> counts(List<String> keys) {
        Map<String, Long> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(k, 0L));
        return m;
    }
}
