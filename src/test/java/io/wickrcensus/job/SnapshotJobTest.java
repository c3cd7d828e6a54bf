package io.wickrcensus.job;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.JobHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.GuestUser;
import io.wickrcensus.api.model.User;
import io.wickrcensus.job.run.ExitCodes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import io.wickrcensus.testing.TestDatabases;

/** The job against the emulator and a real PostgreSQL. */
class SnapshotJobTest {

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aFullRunStoresExactlyWhatTheEmulatorServes(org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        try (JobHarness h = new JobHarness(1234, 150)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            assertThat(output.getAll()).as("the uname step took what the head start left, not the whole snapshot again")
                    .contains("the head start read every staged row")
                    .contains("(the network's first unames: only those read twice were looked for in the directory)");
            long asked = h.count("SELECT count(*) FROM census.uname_directory WHERE network_id = ?", h.network)
                    + h.count("SELECT count(*) FROM census.uname_lookup_failure");
            assertThat(h.emulator.stats()).as("each uname asked once, in full calls of 50 but the last (a first snapshot's head start "
                    + "probes only the unames it read before)").containsEntry("BatchLookupUserUname.200", (asked + 49) / 50);

            List<User> served = h.servedUsers();
            List<Map<String, Object>> roster = h.query("SELECT * FROM census.roster_current WHERE network_id = ? ORDER BY user_id", h.network);
            assertThat(roster).hasSize(1234);
            Map<String, Map<String, Object>> byId = roster.stream().collect(Collectors.toMap(r -> (String) r.get("user_id"), r -> r));
            for (User u : served) {
                Map<String, Object> r = byId.get(u.userId());
                assertThat(r).as("user %s", u.userId()).isNotNull();
                assertThat(r.get("first_name")).isEqualTo(u.firstName());
                assertThat(r.get("last_name")).isEqualTo(u.lastName());
                assertThat(r.get("username")).isEqualTo(u.username());
                assertThat(r.get("security_groups")).isEqualTo(u.securityGroups());
                assertThat(r.get("is_admin")).isEqualTo(u.isAdmin());
                assertThat(r.get("suspended")).isEqualTo(u.suspended());
                assertThat(r.get("status")).isEqualTo(u.status());
                assertThat(r.get("otp_enabled")).isEqualTo(u.otpEnabled());
                assertThat(r.get("scim_id")).isEqualTo(u.scimId());
                assertThat(r.get("type")).isEqualTo(u.type());
                assertThat(r.get("cell")).isEqualTo(u.cell());
                assertThat(r.get("country_code")).isEqualTo(u.countryCode());
                assertThat(r.get("challenge_failures")).isEqualTo(u.challengeFailures());
                assertThat(r.get("is_invite_expired")).isEqualTo(u.isInviteExpired());
                assertThat(r.get("is_user")).isEqualTo(u.isUser());
                assertThat(r.get("code_validation")).isEqualTo(u.codeValidation());
                assertThat(r.get("uname")).isEqualTo(u.uname());
            }

            Set<String> allHashes = new HashSet<>();
            for (YearMonth p : JobHarness.PERIODS) {
                List<GuestUser> guests = h.servedGuests(p);
                guests.forEach(g -> allHashes.add(g.usernameHash()));
                List<Map<String, Object>> stored = h.query("SELECT username, username_hash FROM census.guests_by_run "
                        + "WHERE network_id = ? AND billing_period = ?", h.network, p.toString());
                assertThat(stored).hasSize(guests.size());
                assertThat(stored.stream().map(r -> r.get("username_hash") + "=" + r.get("username")).collect(Collectors.toSet()))
                        .isEqualTo(guests.stream().map(g -> g.usernameHash() + "=" + g.username()).collect(Collectors.toSet()));
                assertThat(h.count("SELECT guests FROM census.guest_counts WHERE network_id = ? AND billing_period = ?",
                        h.network, p.toString())).isEqualTo(150);
            }

            // every uname resolved to the user's username; the guests that cannot be resolved are recorded with a reason
            Map<String, String> directory = new HashMap<>();
            h.query("SELECT uname, username FROM census.unames WHERE network_id = ?", h.network)
                    .forEach(r -> directory.put((String) r.get("uname"), (String) r.get("username")));
            served.forEach(u -> assertThat(directory.get(u.uname())).isEqualTo(u.username()));
            List<Map<String, Object>> failures = h.query("SELECT uname, field, reason FROM census.uname_lookup_failure");
            assertThat(failures).isNotEmpty().allSatisfy(f -> {
                assertThat(allHashes).contains((String) f.get("uname"));
                assertThat(f.get("reason")).asString().isNotBlank();
            });
            assertThat(directory.size() + failures.size()).isEqualTo(1234 + allHashes.size());
            assertThat(h.count("SELECT count(*) FROM census.unresolved_unames WHERE network_id = ?", h.network)).isEqualTo(failures.size());

            Map<String, Object> run = h.query("SELECT * FROM census.runs").get(0);
            assertThat(run).containsEntry("status", "PUBLISHED").containsEntry("users_staged", 1234L)
                    .containsEntry("users_count_reading", "bots-excluded").containsEntry("reconcile_outcome", "matched");
            assertThat((Long) run.get("users_reported") + (Long) run.get("bots_reported")).as("users and bots, counted apart").isEqualTo(1234L);
            assertThat(h.count("SELECT count(*) FROM census.stage_user")).as("staging is cleared").isZero();
        }
    }

    /**
     * The head starts are an optimisation only: a run with them off (the steps get no listener, no
     * backlog and no partitions written ahead) stores exactly what a run with them stores, in
     * PostgreSQL and in the Parquet datasets, and asks each uname once too.
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aRunWithoutHeadStartsStoresTheSameSnapshot(org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        try (JobHarness h = new JobHarness(1234, 150)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            String without = TestDatabases.newDatabase("no_head_starts");
            java.nio.file.Path dir = io.wickrcensus.testing.TestFiles.dir("no-head-starts");
            long callsBefore = h.emulator.stats().getOrDefault("BatchLookupUserUname.200", 0L);
            int mark = output.getAll().length();
            assertThat(h.run(h.builder("2026-11-20").database(JobHarness.database(without)).parquet(h.parquet.withOutputDir(dir))
                    .headStarts(false).build(), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);

            String log = output.getAll().substring(mark);
            assertThat(log).contains("the whole snapshot is read for unknown unames")
                    .doesNotContain("lookup calls while staging").doesNotContain("written as they were staged")
                    .doesNotContain("before the publish");
            assertThat(JobHarness.digest(without)).isEqualTo(JobHarness.digest(h.dbUrl));
            assertThat(JobHarness.parquetDigest(dir)).isEqualTo(JobHarness.parquetDigest(h.outputDir));
            assertThat(h.emulator.stats().get("BatchLookupUserUname.200") - callsBefore).as("each uname asked once, in full calls")
                    .isEqualTo((h.count("SELECT count(*) FROM census.uname_directory") + h.count("SELECT count(*) FROM census.uname_lookup_failure")
                            + 49) / 50);
        }
    }

    /**
     * A later night reads only the users listed as changed while staging, for the unames to look up
     * at once; the uname step then reads the snapshot once for the unchanged users' unames that grew
     * stale (older than the freshness), and every uname of the night ends known and fresh.
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aLaterNightLooksUpTheChangedUsersAtOnceAndTheStaleUnamesOnce(org.springframework.boot.test.system.CapturedOutput output)
            throws Exception {
        try (JobHarness h = new JobHarness(2000, 100)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            // 300 answers of the first night are now older than the freshness (30 days), and so is, as
            // it would be, the time since which the night's roster was known
            h.update("UPDATE census.uname_directory SET last_resolved_at = now() - interval '31 days' WHERE uname IN "
                    + "(SELECT uname FROM census.uname_directory WHERE network_id = ? ORDER BY uname LIMIT 300)", h.network);
            h.update("UPDATE census.run SET unames_known_since = now() - interval '31 days' WHERE network_id = ?", h.network);
            h.emulator.advanceDays(h.network, 1);
            long callsBefore = h.emulator.stats().getOrDefault("BatchLookupUserUname.200", 0L);
            int mark = output.getAll().length();
            assertThat(h.run("2026-11-21")).isEqualTo(ExitCodes.OK);

            assertThat(output.getAll().substring(mark)).contains("a later snapshot: only the users listed as changed were read")
                    .contains("the unchanged users' unames may have grown stale");
            assertThat(h.count(UNKNOWN_OR_STALE, h.network, h.network, h.network)).as("unames of the night neither known nor failed")
                    .isZero();
            // the stale ones still in the night's snapshot were asked again (those of users who left since stay as they were)
            assertThat(h.count("SELECT count(*) FROM census.uname_directory WHERE network_id = ? AND last_resolved_at > now() - interval '1 day' "
                    + "AND first_resolved_at < last_resolved_at AND last_run_id = (SELECT max(run_id) FROM census.run)", h.network))
                    .as("stale answers refreshed").isBetween(250L, 300L);
            long asked = h.count("SELECT count(*) FROM census.uname_directory WHERE network_id = ? AND last_run_id = "
                    + "(SELECT max(run_id) FROM census.run)", h.network);
            assertThat(asked).as("the stale ones and the new ones").isGreaterThan(300);
            assertThat(h.emulator.stats().get("BatchLookupUserUname.200") - callsBefore).as("each asked once, in full calls but the last two")
                    .isBetween((asked + 49) / 50, (asked + 49) / 50 + 2);
        }
    }

    /**
     * The unames of the network's latest snapshot (its users' and its guests') that are neither resolved
     * nor failed within the freshness (30 days): none once a night is published. Parameters: the network, three times.
     */
    private static final String UNKNOWN_OR_STALE = """
            SELECT count(*) FROM (SELECT uname AS u FROM census.roster_current WHERE network_id = ? AND uname IS NOT NULL
                                  UNION SELECT username_hash FROM census.guests_by_run WHERE run_id =
                                      (SELECT max(run_id) FROM census.published_runs WHERE network_id = ?)) s
            WHERE NOT EXISTS (SELECT 1 FROM census.uname_directory d WHERE d.network_id = ? AND d.uname = s.u
                              AND d.last_resolved_at > now() - interval '30 days')
              AND NOT EXISTS (SELECT 1 FROM census.uname_lookup_failure f WHERE f.uname = s.u
                              AND f.failed_at > now() - interval '30 days')""";

    /** Every uname of the network's current roster neither resolved nor failed since its run's {@code unames_known_since}. */
    private static long knownBeforeTheirTime(JobHarness h) throws Exception {
        return h.count("""
                SELECT count(*) FROM census.roster_current rc
                JOIN census.run r ON r.run_id = (SELECT max(run_id) FROM census.published_runs WHERE network_id = rc.network_id)
                WHERE rc.network_id = ? AND rc.uname IS NOT NULL AND (r.unames_known_since IS NULL OR NOT greatest(
                    (SELECT d.last_resolved_at FROM census.uname_directory d WHERE d.network_id = rc.network_id AND d.uname = rc.uname),
                    (SELECT max(f.failed_at) FROM census.uname_lookup_failure f WHERE f.uname = rc.uname)) >= r.unames_known_since)""",
                h.network);
    }

    /** Time passes for what the network knows: its answers, failures and the runs' known-since times move back. */
    private static void daysPass(JobHarness h, int days) throws Exception {
        String by = "interval '" + days + " days'";
        h.update("UPDATE census.uname_directory SET first_resolved_at = first_resolved_at - " + by + ", last_resolved_at = last_resolved_at - "
                + by + " WHERE network_id = ?", h.network);
        h.update("UPDATE census.uname_lookup_failure SET failed_at = failed_at - " + by);
        h.update("UPDATE census.run SET unames_known_since = unames_known_since - " + by + " WHERE network_id = ?", h.network);
    }

    /**
     * A later night whose unchanged users belong to a roster known within the freshness reads only
     * the changed users' unames: no pass over the whole snapshot. Each night records since when its
     * roster's unames are known (never later than any of them was), and once that grows stale, or is
     * not known, the night reads the whole snapshot again and asks the stale ones anew.
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aLaterNightReadsOnlyTheChangedUsersWhileTheirRosterIsKnown(org.springframework.boot.test.system.CapturedOutput output)
            throws Exception {
        try (JobHarness h = new JobHarness(2000, 100)) {
            String fresh = "the head start read every changed user's row, and the other users' unames are all known since";
            String stale = "the unchanged users' unames may have grown stale";
            String whole = "the whole snapshot is read for unknown unames";
            String[] nights = {"2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"};
            // days that pass before each night, for what the network knows
            int[] before = {0, 10, 3, 3, 0};
            for (int n = 0; n < nights.length; n++) {
                if (n > 0) {
                    Map<String, User> served = h.servedUsers().stream().collect(Collectors.toMap(User::userId, u -> u));
                    h.emulator.advanceDays(h.network, 1);
                    daysPass(h, before[n]);
                    if (n == 1) {
                        // 50 users who stay as they are: their answers 15 days older still (25 in all), and so is
                        // the time since which their roster is known, as it would be
                        List<String> oldest = h.servedUsers().stream().filter(u -> u.equals(served.get(u.userId())) && u.uname() != null)
                                .map(User::uname).sorted().limit(50).toList();
                        assertThat(oldest).hasSize(50);
                        for (String u : oldest) {
                            h.update("UPDATE census.uname_directory SET first_resolved_at = first_resolved_at - interval '15 days', "
                                    + "last_resolved_at = last_resolved_at - interval '15 days' WHERE network_id = ? AND uname = ?", h.network, u);
                        }
                        h.update("UPDATE census.run SET unames_known_since = least(unames_known_since, "
                                + "(SELECT min(last_resolved_at) FROM census.uname_directory WHERE network_id = ?)) WHERE network_id = ?",
                                h.network, h.network);
                    }
                }
                if (n == 4) {
                    // a roster published without the time (by a job before it was recorded)
                    h.update("UPDATE census.run SET unames_known_since = NULL WHERE network_id = ?", h.network);
                }
                long callsBefore = h.emulator.stats().getOrDefault("BatchLookupUserUname.200", 0L);
                int mark = output.getAll().length();
                assertThat(h.run(nights[n])).isEqualTo(ExitCodes.OK);
                String log = output.getAll().substring(mark);
                long calls = h.emulator.stats().get("BatchLookupUserUname.200") - callsBefore;
                String thisRun = "(SELECT run_id FROM census.run WHERE network_id = '" + h.network + "' AND as_of = '" + nights[n] + "')";
                long asked = h.count("SELECT count(*) FROM census.uname_directory WHERE last_run_id = " + thisRun)
                        + h.count("SELECT count(*) FROM census.uname_lookup_failure WHERE run_id = " + thisRun);
                assertThat(calls).as("night %d: each uname asked once, in full calls but the last two", n)
                        .isBetween((asked + 49) / 50, (asked + 49) / 50 + 2);

                assertThat(h.count(UNKNOWN_OR_STALE, h.network, h.network, h.network)).as("night %d: unames neither known nor failed", n)
                        .isZero();
                assertThat(knownBeforeTheirTime(h)).as("night %d: a uname of the roster known only before its known-since", n).isZero();
                switch (n) {
                    case 0 -> assertThat(log).contains("the head start read every staged row").doesNotContain(whole);
                    case 1, 2 -> {
                        assertThat(log).contains(fresh).doesNotContain(whole);
                        // what is known since is the earliest of the roster it was listed against, not this night's
                        assertThat(h.count("SELECT count(*) FROM census.run WHERE network_id = ? AND as_of = ?::date "
                                + "AND unames_known_since < now() - interval '" + (n == 1 ? 25 : 28) + " days'", h.network, nights[n]))
                                .as("night %d: known since the oldest answer of the unchanged users", n).isEqualTo(1);
                        assertThat(asked).as("night %d: only the changed users' and the guests' new unames", n).isLessThan(300);
                    }
                    case 3 -> {
                        assertThat(log).contains(stale).contains(whole);
                        assertThat(h.count("SELECT count(*) FROM census.uname_directory WHERE last_run_id = " + thisRun
                                + " AND first_resolved_at < now() - interval '30 days'"))
                                .as("the 50 answers grown stale, of users still in the roster, asked anew").isBetween(40L, 50L);
                    }
                    default -> assertThat(log).contains(stale).contains(whole);
                }
            }
        }
    }

    @Test
    void relaunchingACompletedRunIsANoOpThatSaysSo() throws Exception {
        try (JobHarness h = new JobHarness(300, 40)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            Map<String, String> before = JobHarness.digest(h.dbUrl);
            h.emulator.resetStats();
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.ALREADY_COMPLETE);
            assertThat(JobHarness.digest(h.dbUrl)).isEqualTo(before);
            assertThat(h.emulator.stats()).as("no API call").isEmpty();
        }
    }

    @Test
    void severalNightsWithChurnKeepEachNightsRosterAndTheChanges() throws Exception {
        try (JobHarness h = new JobHarness(2000, 100)) {
            String[] nights = {"2026-11-20", "2026-11-21", "2026-11-22"};
            Map<String, Map<String, User>> servedByNight = new HashMap<>();
            for (int n = 0; n < nights.length; n++) {
                if (n > 0) {
                    h.emulator.advanceDays(h.network, 1);
                }
                servedByNight.put(nights[n], h.servedUsers().stream().collect(Collectors.toMap(User::userId, u -> u)));
                assertThat(h.run(nights[n])).isEqualTo(ExitCodes.OK);
            }
            for (String night : nights) {
                List<Map<String, Object>> roster = h.query("SELECT user_id, is_admin, suspended, status FROM census.roster_as_of(?, ?::date)",
                        h.network, night);
                Map<String, User> served = servedByNight.get(night);
                assertThat(roster).hasSize(served.size());
                roster.forEach(r -> {
                    User u = served.get((String) r.get("user_id"));
                    assertThat(u).isNotNull();
                    assertThat(r.get("is_admin")).isEqualTo(u.isAdmin());
                    assertThat(r.get("suspended")).isEqualTo(u.suspended());
                    assertThat(r.get("status")).isEqualTo(u.status());
                });
            }
            // versions grow with change, not with nights x users
            long versions = h.count("SELECT count(*) FROM census.user_version WHERE network_id = ?", h.network);
            assertThat(versions).isLessThan(2000 + 2 * 200);

            for (int n = 1; n < nights.length; n++) {
                Map<String, User> a = servedByNight.get(nights[n - 1]);
                Map<String, User> b = servedByNight.get(nights[n]);
                Set<String> expected = new HashSet<>();
                b.keySet().stream().filter(id -> !a.containsKey(id)).forEach(id -> expected.add(id + " joined"));
                a.keySet().stream().filter(id -> !b.containsKey(id)).forEach(id -> expected.add(id + " left"));
                for (String id : b.keySet()) {
                    User x = a.get(id);
                    User y = b.get(id);
                    if (x == null) {
                        continue;
                    }
                    if (!x.isAdmin() && y.isAdmin()) {
                        expected.add(id + " admin_granted");
                    }
                    if (x.isAdmin() && !y.isAdmin()) {
                        expected.add(id + " admin_revoked");
                    }
                    if (!x.suspended() && y.suspended()) {
                        expected.add(id + " suspended");
                    }
                    if (x.suspended() && !y.suspended()) {
                        expected.add(id + " reinstated");
                    }
                    if (!x.status().equals(y.status())) {
                        expected.add(id + " status_changed");
                    }
                }
                assertThat(expected).as("churn produced changes").isNotEmpty();
                Set<String> viewed = h.query("SELECT user_id, change FROM census.user_changes WHERE network_id = ? AND snapshot_date = ?::date",
                        h.network, nights[n]).stream().map(r -> r.get("user_id") + " " + r.get("change")).collect(Collectors.toSet());
                assertThat(viewed).isEqualTo(expected);
                Set<String> between = h.query("SELECT user_id, change FROM census.changes_between(?, ?::date, ?::date)",
                        h.network, nights[n - 1], nights[n]).stream().map(r -> r.get("user_id") + " " + r.get("change")).collect(Collectors.toSet());
                assertThat(between).isEqualTo(expected);
            }
            assertThat(h.query("SELECT DISTINCT change FROM census.user_changes WHERE snapshot_date > '2026-11-20'"))
                    .extracting(r -> r.get("change")).contains("joined", "left");
        }
    }

    @Test
    void aFailedRunLeavesThePreviousSnapshotCurrentAndARelaunchResumesIt() throws Exception {
        try (JobHarness h = new JobHarness(800, 60)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            h.emulator.advanceDays(h.network, 1);
            List<Map<String, Object>> current = h.query("SELECT * FROM census.roster_current ORDER BY user_id");

            h.emulator.faults().fail500(1.0);
            assertThat(h.run("2026-11-21")).isEqualTo(ExitCodes.FAILED);
            assertThat(h.query("SELECT * FROM census.roster_current ORDER BY user_id")).isEqualTo(current);
            assertThat(h.query("SELECT status, last_error FROM census.runs WHERE snapshot_date = '2026-11-21'").get(0))
                    .containsEntry("status", "FAILED").extractingByKey("last_error").asString().contains("InternalServerError");

            h.emulator.faults().clear();
            assertThat(h.run("2026-11-21")).isEqualTo(ExitCodes.OK);
            assertThat(h.count("SELECT count(*) FROM census.roster_current")).isEqualTo(h.servedUsers().size());
            assertThat(h.query("SELECT attempts FROM census.runs WHERE snapshot_date = '2026-11-21'").get(0)).containsEntry("attempts", 2);
        }
    }

    @Test
    void injectedThrottlingAndServerErrorsStillGiveAnExactSnapshot() throws Exception {
        String reference = TestDatabases.newDatabase("reference");
        try (JobHarness h = new JobHarness(1500, 120, reference)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
        }
        try (JobHarness h = new JobHarness(1500, 120)) {
            h.emulator.faults().fail429(0.1).fail500(0.1);
            // The default attempts: with the harness's 4, one of ~60 calls fails all four about once in ten runs.
            assertThat(h.run(h.builder("2026-11-20").maxAttempts(RunSettings.DEFAULT_MAX_ATTEMPTS).build(), JobHarness.SECRET))
                    .isEqualTo(ExitCodes.OK);
            assertThat(h.emulator.stats().getOrDefault("ListUsers.429", 0L) + h.emulator.stats().getOrDefault("ListUsers.500", 0L))
                    .isPositive();
            assertThat(JobHarness.digest(h.dbUrl)).isEqualTo(JobHarness.digest(reference));
        }
    }

    @Test
    void aRejectedCredentialFailsWithTheAuthCodeAndPublishesNothing() throws Exception {
        try (JobHarness h = new JobHarness(200, 20)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            Map<String, String> before = JobHarness.digest(h.dbUrl);
            assertThat(h.run(h.settings("2026-11-21"), "wrong-secret")).isEqualTo(ExitCodes.AUTH_FAILURE);
            Map<String, String> after = JobHarness.digest(h.dbUrl);
            assertThat(after).as("a refused start leaves no trace: no run, no billing periods pinned").isEqualTo(before);
            assertThat(h.count("SELECT count(*) FROM census.runs WHERE snapshot_date = '2026-11-21'")).isZero();
            assertThat(h.count("SELECT count(*) FROM batch_job_execution_params WHERE parameter_name = 'asOf' "
                    + "AND parameter_value = '2026-11-21'")).as("nor a job instance").isZero();
            // the night can then run with other billing periods, as nothing pinned them
            assertThat(h.run(h.builder("2026-11-21").billingPeriodMonths(List.of(JobHarness.PERIODS.get(1))).build(), JobHarness.SECRET))
                    .isEqualTo(ExitCodes.OK);
        }
    }

    @Test
    void auditorsReadTheAuditViewsAndFinanceOnlyTheBillingViews() throws Exception {
        try (JobHarness h = new JobHarness(100, 10)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            try (Connection c = TestDatabases.connect(h.dbUrl); var st = c.createStatement()) {
                st.execute("CREATE ROLE alice LOGIN; GRANT census_auditor TO alice; CREATE ROLE bob LOGIN; GRANT census_finance TO bob");
                st.execute("SET ROLE alice");
                for (String view : List.of("census.roster_current", "census.roster_by_run", "census.user_changes", "census.runs",
                        "census.unresolved_unames", "census.unames", "census.guest_counts", "census.guests_by_run")) {
                    st.executeQuery("SELECT count(*) FROM " + view).close();
                }
                st.executeQuery("SELECT count(*) FROM census.changes_between('" + h.network + "', '2026-11-01', '2026-11-20')").close();
                for (String table : List.of("census.user_version", "census.run", "census.uname_directory", "census.stage_user",
                        "batch_job_execution")) {
                    assertThat(denied(st, "SELECT count(*) FROM " + table)).as(table).isTrue();
                }
                assertThat(denied(st, "DELETE FROM census.run")).isTrue();
                st.execute("RESET ROLE; SET ROLE bob");
                st.executeQuery("SELECT count(*) FROM census.guest_counts").close();
                st.executeQuery("SELECT count(*) FROM census.guests_by_run").close();
                for (String other : List.of("census.roster_current", "census.runs", "census.unames", "census.user_version")) {
                    assertThat(denied(st, "SELECT count(*) FROM " + other)).as(other).isTrue();
                }
                st.execute("RESET ROLE");
            }
        }
    }

    private static boolean denied(java.sql.Statement st, String sql) throws java.sql.SQLException {
        try {
            st.executeQuery(sql).close();
            return false;
        } catch (java.sql.SQLException e) {
            assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42501"); // insufficient_privilege
            return true;
        }
    }

    @Test
    void anUnknownNetworkIsABadConfiguration() throws Exception {
        try (JobHarness h = new JobHarness(50, 5)) {
            assertThat(h.run(h.settings("2026-11-20", "99999999"), JobHarness.SECRET)).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(h.count("SELECT count(*) FROM census.runs")).as("no FAILED row for auditors to puzzle over").isZero();
        }
    }

    @Test
    void aSecondLaunchForTheSameNetworkAndDateIsRefused() throws Exception {
        try (JobHarness h = new JobHarness(100, 10)) {
            assertThat(h.run("2026-11-19")).isEqualTo(ExitCodes.OK); // migrates the schema
            // a live session holds the run's lease, as a launch in another process would
            try (Connection holder = TestDatabases.connect(h.dbUrl);
                 PreparedStatement ps = holder.prepareStatement("INSERT INTO census.run_lease (network_id, as_of, holder_pid, "
                         + "holder_started, holder_user) SELECT ?, '2026-11-20', pid, backend_start, usename FROM pg_stat_activity "
                         + "WHERE pid = pg_backend_pid()")) {
                ps.setString(1, h.network);
                ps.execute();
                h.emulator.resetStats();
                assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.CONCURRENT_LAUNCH);
                assertThat(h.emulator.stats()).as("no API call").isEmpty();
            }
            // the holding session is gone (a killed launch): its lease is taken over
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            assertThat(h.count("SELECT count(*) FROM census.run_lease")).as("released at the end").isZero();
        }
    }

    @Test
    void anAuditorSessionCannotBlockANight() throws Exception {
        try (JobHarness h = new JobHarness(100, 10)) {
            assertThat(h.run("2026-11-19")).isEqualTo(ExitCodes.OK); // migrates the schema, creates the roles
            try (Connection admin = TestDatabases.connect(h.dbUrl)) {
                admin.createStatement().execute("DO $$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'census_test_reader') "
                        + "THEN CREATE ROLE census_test_reader LOGIN IN ROLE census_auditor; END IF; END$$");
            }
            // the URL names user postgres: the reader connects without it
            try (Connection auditor = java.sql.DriverManager.getConnection(h.dbUrl.replaceAll("\\?.*", ""), "census_test_reader", "")) {
                // the key of the advisory lock launches used to take, and a lease, which it may not write
                try (PreparedStatement ps = auditor.prepareStatement("SELECT pg_advisory_lock(?, hashtext(?))")) {
                    ps.setInt(1, 0x57434E53);
                    ps.setString(2, h.network + "|2026-11-20");
                    ps.execute();
                }
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> auditor.createStatement().execute(
                        "INSERT INTO census.run_lease (network_id, as_of, holder_pid, holder_user) VALUES ('x', '2026-11-20', 1, 'x')"))
                        .hasMessageContaining("permission denied");
                assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            }
        }
    }

    /**
     * --api-rate is the credentials' budget, as the service enforces its limit: two networks run at
     * once share it, so together they make no more calls a second than it allows. (Were the budget
     * per network, the two would finish in about half the time.)
     */
    @Test
    void twoNetworksAtOnceShareOneApiBudget() throws Exception {
        String db = TestDatabases.newDatabase("budget");
        double rate = 10;
        try (var e = io.wickrcensus.emulator.WickrEmulator.start(io.wickrcensus.emulator.EmulatorConfig.builder().seed(11)
                .networks(2).users(2000).guests(10).periods(JobHarness.PERIODS).accessKey(JobHarness.ACCESS_KEY)
                .secretKey(JobHarness.SECRET).build())) {
            RunSettings s = RunSettings.builder().networkIds(e.networkIds()).asOf(java.time.LocalDate.parse("2026-11-20"))
                    .billingPeriodMonths(JobHarness.PERIODS).endpoint(e.endpoint()).maxAttempts(4).parallelism(2).unameConcurrency(4)
                    .apiRatePerSecond(rate).reconcileTolerance(0.0).copyBatchRows(1000).database(JobHarness.database(db))
                    .parquet(io.wickrcensus.parquet.ParquetSettings.OFF).build();
            long start = System.nanoTime();
            int code = CensusRun.execute(s, software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET)));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(code).isEqualTo(ExitCodes.OK);
            long lookups = e.stats().get("BatchLookupUserUname.200");
            assertThat(lookups).as("both networks looked their unames up").isGreaterThan(80);
            // each lookup waits for its slot of the one budget, at most `rate` a second for both networks
            // together (paging takes slots too, without waiting); two budgets would take half the time
            assertThat(seconds).as("%d lookups of two networks at %s calls/s", lookups, rate).isGreaterThanOrEqualTo((lookups - 1) / rate);
        }
    }

    @Test
    void severalNetworksRunAsIndependentInstances() throws Exception {
        String db = TestDatabases.newDatabase("multi");
        try (var e = io.wickrcensus.emulator.WickrEmulator.start(io.wickrcensus.emulator.EmulatorConfig.builder().seed(9)
                .networks(3).users(300).guests(20).periods(JobHarness.PERIODS).accessKey(JobHarness.ACCESS_KEY)
                .secretKey(JobHarness.SECRET).build())) {
            List<String> ids = e.networkIds();
            RunSettings s = RunSettings.builder().networkIds(ids).asOf(java.time.LocalDate.parse("2026-11-20"))
                    .billingPeriodMonths(JobHarness.PERIODS).endpoint(e.endpoint()).maxAttempts(4).parallelism(2).unameConcurrency(2)
                    .reconcileTolerance(0.0).copyBatchRows(1000).database(JobHarness.database(db))
                    .parquet(io.wickrcensus.parquet.ParquetSettings.OFF).build();
            int code = CensusRun.execute(s, software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET)));
            assertThat(code).isEqualTo(ExitCodes.OK);
            try (Connection c = TestDatabases.connect(db); var rs = c.createStatement().executeQuery(
                    "SELECT network_id, count(*) FROM census.roster_current GROUP BY 1 ORDER BY 1")) {
                int n = 0;
                while (rs.next()) {
                    assertThat(ids).contains(rs.getString(1));
                    assertThat(rs.getLong(2)).isEqualTo(300);
                    n++;
                }
                assertThat(n).isEqualTo(3);
            }
        }
    }

    /** The client learns the offset from the first rejection's Date header (see ClockSkewTest). */
    @Test
    void theJobRunsOnANodeWhoseClockIsTwentyMinutesOff() throws Exception {
        try (JobHarness h = new JobHarness(400, 20, TestDatabases.newDatabase("skew"), JobHarness.PERIODS,
                b -> b.clockSkewSeconds(-20 * 60))) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            assertThat(h.count("SELECT count(*) FROM census.roster_as_of(?, '2026-11-20')", h.network)).isEqualTo(400);
        }
    }
}
