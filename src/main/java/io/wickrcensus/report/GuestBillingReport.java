package io.wickrcensus.report;

import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The guest-billing report of one billing period: per network, the distinct guest users of the
 * period, whether the figure is final, and how it compares with the period before.
 *
 * <p>Every figure is read as of one published run, the <em>deciding run</em>: for a final period
 * the first run taken at least {@code graceDays} days after the period ended that covered it; for
 * a provisional period the latest run that covered it. History is versioned, so the figures as of
 * a run never change: a final period's report is the same whenever it is run again.
 *
 * <p>Reads the finance views only ({@code census.guest_counts}, {@code census.guests_by_run}).
 */
public record GuestBillingReport(String billingPeriod, int graceDays, LocalDate finalFrom, List<Network> networks, Totals totals) {

    /**
     * The sums over the report's networks, when it covers more than one. {@code status} is final
     * only when every network's figure is; a sum of figures some network lacks is null.
     */
    public record Totals(int networks, String status, long guests, Long guestsReported, Long previousGuests, Long newGuests,
                         Long returningGuests, long goneGuests) {

        static Totals of(List<Network> ns) {
            if (ns.size() < 2) {
                return null;
            }
            boolean allFinal = ns.stream().allMatch(n -> FINAL.equals(n.status()));
            return new Totals(ns.size(), allFinal ? FINAL : PROVISIONAL, ns.stream().mapToLong(Network::guests).sum(),
                    sumOrNull(ns.stream().map(Network::guestsReported).toList()),
                    sumOrNull(ns.stream().map(Network::previousGuests).toList()),
                    sumOrNull(ns.stream().map(Network::newGuests).toList()), sumOrNull(ns.stream().map(Network::returningGuests).toList()),
                    ns.stream().mapToLong(Network::goneGuests).sum());
        }

        private static Long sumOrNull(List<Long> values) {
            return values.contains(null) ? null : values.stream().mapToLong(Long::longValue).sum();
        }
    }

    public static final String FINAL = "final";
    public static final String PROVISIONAL = "provisional";

    /**
     * One network's figures.
     *
     * @param status          {@link #FINAL} or {@link #PROVISIONAL}
     * @param snapshotDate    the deciding run's snapshot date
     * @param guests          distinct guest users of the period
     * @param guestsReported  the count the service reported in that run (GetGuestUserHistoryCount), if any
     * @param previousGuests  distinct guests of the previous period as of the same run; null when no run had captured it
     * @param newGuests       guests of this period who were not guests of the previous one; null when the previous
     *                        period was not captured (every guest would look new)
     * @param returningGuests guests of this period who were also guests of the previous one; null as {@code newGuests}
     * @param goneGuests      guests of the previous period who are not guests of this one
     * @param guestList       the period's billable guests (change new or returning, or null when the previous period
     *                        was not captured), by username, then username hash: as many as {@code guests}
     * @param departed        the previous period's guests who are not guests of this one (change gone), in the same order
     * @param history         guest counts of the twelve periods ending with this one, as of the deciding run
     * @param retracted       snapshots that covered the period and were retracted
     * @param note            when a retracted snapshot would have decided the figure, a sentence saying so; else null
     * @param reconcileWarning when the deciding run was published although its counts did not reconcile
     *                         ({@code --reconcile=warn}), how they differed; else null
     */
    public record Network(String networkId, String status, LocalDate snapshotDate, long runId, long guests, Long guestsReported,
                          Long previousGuests, Long newGuests, Long returningGuests, long goneGuests,
                          List<Guest> guestList, List<Guest> departed, List<PeriodCount> history, List<Retracted> retracted, String note,
                          String reconcileWarning) {
    }

    /** A snapshot that covered the period and was retracted; it counts for nothing. */
    public record Retracted(LocalDate snapshotDate, String retractedAt, String reason) {
    }

    /** A guest user; {@code change} is new, returning or gone. */
    public record Guest(String username, String usernameHash, String change) {
    }

    /**
     * Guests of one period; {@code guests} is null when no run had captured that period (no data,
     * not zero). {@code isFinal}: the deciding snapshot was taken after that period's grace days,
     * so its figure will not change.
     */
    public record PeriodCount(String billingPeriod, Long guests, boolean isFinal) {
    }

    /** The first snapshot date at which a run makes {@code period} final. */
    public static LocalDate finalFrom(YearMonth period, int graceDays) {
        return period.atEndOfMonth().plusDays(1L + graceDays);
    }

    /** Reads the report; {@code networkId} null means every network that has a run covering the period. */
    public static GuestBillingReport load(Connection c, YearMonth period, String networkId, int graceDays) throws SQLException {
        if (graceDays < 0) {
            throw new IllegalArgumentException("--grace-days must not be negative");
        }
        LocalDate finalFrom = finalFrom(period, graceDays);
        List<Network> networks = new ArrayList<>();
        for (String network : networks(c, period, networkId)) {
            networks.add(network(c, network, period, finalFrom));
        }
        return new GuestBillingReport(period.toString(), graceDays, finalFrom, networks, Totals.of(networks));
    }

    private static List<String> networks(Connection c, YearMonth period, String networkId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT network_id COLLATE "C" FROM census.guest_counts
                WHERE billing_period = ? AND (?::text IS NULL OR network_id = ?) ORDER BY network_id COLLATE "C"
                """)) {
            ps.setString(1, period.toString());
            ps.setString(2, networkId);
            ps.setString(3, networkId);
            return Sql.strings(ps);
        }
    }

    private static Network network(Connection c, String network, YearMonth period, LocalDate finalFrom) throws SQLException {
        long runId;
        LocalDate snapshot;
        Long reported;
        String reconcileWarning;
        // the first run on or after finalFrom if there is one, else the latest
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT run_id, snapshot_date, guests_reported, CASE WHEN reconcile_outcome = 'warned' THEN reconcile_detail END
                FROM census.guest_counts
                WHERE network_id = ? AND billing_period = ?
                ORDER BY snapshot_date >= ? DESC, CASE WHEN snapshot_date >= ? THEN snapshot_date END, snapshot_date DESC
                LIMIT 1
                """)) {
            ps.setString(1, network);
            ps.setString(2, period.toString());
            ps.setDate(3, Date.valueOf(finalFrom));
            ps.setDate(4, Date.valueOf(finalFrom));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                runId = rs.getLong(1);
                snapshot = rs.getDate(2).toLocalDate();
                reported = (Long) rs.getObject(3);
                reconcileWarning = rs.getString(4);
            }
        }
        int graceDays = (int) java.time.temporal.ChronoUnit.DAYS.between(period.plusMonths(1).atDay(1), finalFrom);
        List<PeriodCount> history = history(c, network, runId, snapshot, period, graceDays);
        Long previousGuests = history.get(history.size() - 2).guests();
        boolean previousCaptured = previousGuests != null;
        List<Guest> current = guests(c, runId, period);
        List<Guest> previous = guests(c, runId, period.minusMonths(1));
        Set<String> previousHashes = new HashSet<>();
        previous.forEach(g -> previousHashes.add(g.usernameHash()));
        Set<String> currentHashes = new HashSet<>();
        List<Guest> list = new ArrayList<>(current.size());
        long returning = 0;
        for (Guest g : current) {
            currentHashes.add(g.usernameHash());
            boolean back = previousHashes.contains(g.usernameHash());
            returning += back ? 1 : 0;
            list.add(new Guest(g.username(), g.usernameHash(), !previousCaptured ? null : back ? "returning" : "new"));
        }
        List<Guest> departed = new ArrayList<>();
        for (Guest g : previous) {
            if (!currentHashes.contains(g.usernameHash())) {
                departed.add(new Guest(g.username(), g.usernameHash(), "gone"));
            }
        }
        list.sort(BY_USERNAME);
        departed.sort(BY_USERNAME);
        boolean isFinal = !snapshot.isBefore(finalFrom);
        List<Retracted> retracted = retracted(c, network, period);
        // the snapshot that decided the figure before its retraction: an earlier final one, or a later provisional one
        String note = retracted.stream()
                .filter(r -> isFinal ? !r.snapshotDate().isBefore(finalFrom) && r.snapshotDate().isBefore(snapshot)
                        : r.snapshotDate().isAfter(snapshot))
                .map(r -> "The snapshot of " + r.snapshotDate() + ", which decided this figure before, was retracted on "
                        + r.retractedAt() + " (" + r.reason() + "); the figure is now as of the snapshot of " + snapshot + ".")
                .reduce((a, b) -> b).orElse(null);
        return new Network(network, isFinal ? FINAL : PROVISIONAL, snapshot, runId, current.size(), reported,
                previousGuests, previousCaptured ? (Long) (current.size() - returning) : null, previousCaptured ? (Long) returning : null,
                departed.size(), list, departed, history, retracted, note, reconcileWarning);
    }

    /** By username (guests whose username is unresolved last), then username hash. */
    static final java.util.Comparator<Guest> BY_USERNAME = java.util.Comparator
            .comparing(Guest::username, java.util.Comparator.nullsLast(java.util.Comparator.<String>naturalOrder()))
            .thenComparing(Guest::usernameHash);

    /** The retracted snapshots of the network that covered the period, oldest first. */
    private static List<Retracted> retracted(Connection c, String network, YearMonth period) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT snapshot_date, to_char(retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), retraction_reason
                FROM census.retracted_runs WHERE network_id = ? AND ? = ANY (billing_periods) ORDER BY snapshot_date
                """)) {
            ps.setString(1, network);
            ps.setString(2, period.toString());
            return Sql.list(ps, rs -> new Retracted(rs.getDate(1).toLocalDate(), rs.getString(2), rs.getString(3)));
        }
    }

    /** The guests of {@code period} as of run {@code runId}, in username-hash order. */
    private static List<Guest> guests(Connection c, long runId, YearMonth period) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT username, username_hash FROM census.guests_by_run
                WHERE run_id = ? AND billing_period = ? ORDER BY username_hash COLLATE "C"
                """)) {
            ps.setLong(1, runId);
            ps.setString(2, period.toString());
            return Sql.list(ps, rs -> new Guest(rs.getString(1), rs.getString(2), null));
        }
    }

    /** Guest counts of the twelve periods up to {@code period} as of the run; null for a period no run had captured by then. */
    private static List<PeriodCount> history(Connection c, String network, long runId, LocalDate snapshot, YearMonth period,
                                             int graceDays) throws SQLException {
        YearMonth first = period.minusMonths(11);
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT gc.billing_period,
                       (SELECT count(*) FROM census.guests_by_run g WHERE g.run_id = ? AND g.billing_period = gc.billing_period)
                FROM census.guest_counts gc
                WHERE gc.network_id = ? AND gc.billing_period BETWEEN ? AND ? AND gc.snapshot_date <= ?
                GROUP BY gc.billing_period
                """)) {
            ps.setLong(1, runId);
            ps.setString(2, network);
            ps.setString(3, first.toString());
            ps.setString(4, period.toString());
            ps.setDate(5, Date.valueOf(snapshot));
            java.util.Map<String, Long> counts = new java.util.HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            List<PeriodCount> out = new ArrayList<>(12);
            for (YearMonth p = first; !p.isAfter(period); p = p.plusMonths(1)) {
                out.add(new PeriodCount(p.toString(), counts.get(p.toString()), !snapshot.isBefore(finalFrom(p, graceDays))));
            }
            return out;
        }
    }
}
