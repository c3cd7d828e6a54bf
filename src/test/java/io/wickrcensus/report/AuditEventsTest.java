package io.wickrcensus.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The audit lists events, not a net difference: an admin right granted and revoked between two
 * dates is two events in {@code census.user_events} and in the report, where the rosters at the
 * two dates (and {@code changes_between}) show nothing.
 */
class AuditEventsTest {

    static JobHarness h;
    static final String[] NIGHTS = {"2026-11-18", "2026-11-19", "2026-11-20"};

    @BeforeAll
    static void threeNightsOfChurn() throws Exception {
        h = new JobHarness(2000, 10, TestDatabases.newDatabase("events"), JobHarness.PERIODS, b -> b.churnRate(0.3));
        for (int i = 0; i < NIGHTS.length; i++) {
            if (i > 0) {
                h.emulator.advanceDays(h.network, 1);
            }
            assertThat(h.run(NIGHTS[i])).isEqualTo(ExitCodes.OK);
        }
    }

    @AfterAll
    static void close() {
        h.close();
    }

    /** Users whose admin right the middle snapshot saw granted and the last one revoked. */
    static List<String> grantedAndRevoked() throws Exception {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> r : h.query("SELECT a.user_id FROM census.roster_as_of(?, '2026-11-18') a "
                + "JOIN census.roster_as_of(?, '2026-11-19') b USING (user_id) JOIN census.roster_as_of(?, '2026-11-20') c USING (user_id) "
                + "WHERE NOT a.is_admin AND b.is_admin AND NOT c.is_admin ORDER BY 1", h.network, h.network, h.network)) {
            ids.add((String) r.get("user_id"));
        }
        return ids;
    }

    @Test
    void aGrantAndItsRevokeInsideTheWindowAreTwoEventsInSqlAndInTheReport() throws Exception {
        List<String> flipped = grantedAndRevoked();
        assertThat(flipped).as("the churn granted and revoked some admin rights").isNotEmpty();
        String user = flipped.get(0);
        assertThat(h.query("SELECT snapshot_date::text AS d, kind, before, after FROM census.user_events(?, '2026-11-18', '2026-11-20') "
                + "WHERE user_id = ? AND kind LIKE 'admin%'", h.network, user)).extracting(Map::values).map(List::copyOf)
                .containsExactly(List.of("2026-11-19", "admin_granted", "false", "true"), List.of("2026-11-20", "admin_revoked", "true", "false"));
        assertThat(h.count("SELECT count(*) FROM census.changes_between(?, '2026-11-18', '2026-11-20') WHERE user_id = ? "
                + "AND change LIKE 'admin%'", h.network, user)).as("a net difference misses both").isZero();

        AuditReport r;
        try (Connection c = TestDatabases.connect(h.dbUrl)) {
            r = AuditReport.load(c, h.network, LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-18"));
        }
        assertThat(r.changes()).filteredOn(e -> e.userId().equals(user) && e.change().startsWith("admin"))
                .extracting(e -> e.snapshotDate() + " " + e.change() + " " + e.before() + "->" + e.after())
                .containsExactly("2026-11-19 admin_granted false->true", "2026-11-20 admin_revoked true->false");
        StringWriter csv = new StringWriter();
        ReportWriter.write(r, ReportFormat.CSV, csv);
        assertThat(csv.toString().lines().filter(l -> l.startsWith("event,") && l.contains("," + user + ",") && l.contains(",admin_")))
                .hasSize(2);
    }

    @Test
    void everyEventOfTheWindowIsInTheReportCountedByKind() throws Exception {
        AuditReport r;
        try (Connection c = TestDatabases.connect(h.dbUrl)) {
            r = AuditReport.load(c, h.network, LocalDate.parse("2026-11-20"), LocalDate.parse("2026-11-18"));
        }
        long all = h.count("SELECT count(*) FROM census.user_events(?, '2026-11-18', '2026-11-20')", h.network);
        assertThat(r.changes()).hasSize((int) all);
        for (var e : r.changeCounts().entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(h.count("SELECT count(*) FROM census.user_events(?, '2026-11-18', "
                    + "'2026-11-20') WHERE kind = ?", h.network, e.getKey()));
        }
        // the emulator re-rolls admin, suspension and OTP; it never changes groups or usernames
        for (String kind : List.of("joined", "left", "admin_granted", "admin_revoked", "suspended", "reinstated",
                "otp_enabled", "otp_disabled")) {
            assertThat(r.changeCounts().get(kind)).as(kind + " over two nights of 30% churn").isPositive();
        }
        assertThat(r.sinceSummary().users() + r.changeCounts().get("joined") - r.changeCounts().get("left"))
                .as("the roster then, plus joined, minus left, is the roster now").isEqualTo(r.summary().users());
        // events never repeat a snapshot's observation: the first night's joins are outside the window
        assertThat(r.changes()).allSatisfy(e -> assertThat(e.snapshotDate()).isAfter(LocalDate.parse("2026-11-18")));
    }

    /**
     * The kinds the emulator never produces (it changes no user's groups or username), on history
     * written as a publish writes it: a later published snapshot closing a user's version and
     * opening the changed one.
     */
    @Test
    void groupAndUsernameChangesAndExpiredInvitationsAreEventsWithBeforeAndAfter() throws Exception {
        String db = TestDatabases.newDatabase("events_kinds");
        try (JobHarness one = new JobHarness(30, 3, db)) {
            assertThat(one.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            try (Connection c = TestDatabases.connect(db); Statement s = c.createStatement()) {
                String net = one.network;
                String user;
                try (ResultSet rs = s.executeQuery("SELECT user_id FROM census.user_version WHERE network_id = '" + net
                        + "' AND valid_to IS NULL AND NOT coalesce(is_invite_expired, false) ORDER BY user_id LIMIT 1")) {
                    rs.next();
                    user = rs.getString(1);
                }
                s.execute("INSERT INTO census.run (network_id, as_of, billing_periods, status, publish_seq, finished_at) "
                        + "SELECT '" + net + "', '2026-11-21', '{}', 'PUBLISHED', max(publish_seq) + 1, now() FROM census.run");
                s.execute("UPDATE census.user_version SET valid_to = (SELECT max(publish_seq) FROM census.run) "
                        + "WHERE network_id = '" + net + "' AND user_id = '" + user + "' AND valid_to IS NULL");
                s.execute("INSERT INTO census.user_version (network_id, user_id, valid_from, first_name, last_name, username, "
                        + "security_groups, is_admin, suspended, status, otp_enabled, is_invite_expired, uname) "
                        + "SELECT network_id, user_id, valid_to, first_name, last_name, 'renamed@example.com', ARRAY['Zeta', 'Alpha'], "
                        + "is_admin, suspended, status, otp_enabled, true, uname FROM census.user_version "
                        + "WHERE network_id = '" + net + "' AND user_id = '" + user + "' AND valid_to = (SELECT max(publish_seq) FROM census.run)");
                List<String> events = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT snapshot_date, kind, before, after FROM census.user_events('" + net
                        + "', '2026-11-20', '2026-11-21') WHERE user_id = '" + user + "' AND kind IN ('groups_changed', "
                        + "'username_changed', 'invite_expired') ORDER BY kind")) {
                    while (rs.next()) {
                        events.add(rs.getString(1) + " " + rs.getString(2) + " [" + rs.getString(3) + "] -> [" + rs.getString(4) + "]");
                    }
                }
                assertThat(events).hasSize(3);
                assertThat(events.get(0)).startsWith("2026-11-21 groups_changed [").endsWith("] -> [Alpha, Zeta]");
                assertThat(events.get(1)).isEqualTo("2026-11-21 invite_expired [false] -> [true]");
                assertThat(events.get(2)).startsWith("2026-11-21 username_changed [").endsWith("] -> [renamed@example.com]");
            }
        }
    }

    @Test
    void theAuditorRoleCallsTheFunction() throws Exception {
        try (Connection c = TestDatabases.connect(h.dbUrl); Statement s = c.createStatement()) {
            s.execute("SET ROLE census_auditor");
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM census.user_events('" + h.network + "', NULL, '2026-11-20')")) {
                rs.next();
                assertThat(rs.getLong(1)).isGreaterThanOrEqualTo(2000);
            }
        }
    }
}
