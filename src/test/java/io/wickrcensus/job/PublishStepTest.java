package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.job.run.RunStatus;
import io.wickrcensus.job.steps.StagedChanges;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.net.URI;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.test.JobOperatorTestUtils;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Step 6, publish, on its own over prepared staging tables (no API involved): it versions what
 * changed, closes what is gone, marks the run published and clears its staging.
 */
class PublishStepTest {

    private static final String NET = "net00001";
    private static final String PERIOD = "2026-11";

    private static String url;
    private static DatabaseLocation db;
    private static ConfigurableApplicationContext ctx;
    private static JdbcTemplate jdbc;
    private static RunLedger ledger;
    private static JobOperatorTestUtils batch;

    @BeforeAll
    static void start() {
        url = TestDatabases.newDatabase("publish");
        db = DatabaseLocation.resolve(JobHarness.database(url));
        RunSettings settings = RunSettings.builder().networkId(NET).asOf(LocalDate.parse("2026-11-20"))
                .endpoint(URI.create("http://127.0.0.1:9")).database(JobHarness.database(url)).parquet(ParquetSettings.OFF).build();
        ctx = CensusRun.context(settings, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "unused")), db,
                new RunMetrics());
        jdbc = ctx.getBean(JdbcTemplate.class);
        ledger = ctx.getBean(RunLedger.class);
        batch = new JobOperatorTestUtils(ctx.getBean(JobOperator.class), ctx.getBean(JobRepository.class));
        batch.setJob(ctx.getBean("snapshotJob", Job.class));
    }

    @AfterAll
    static void stop() {
        ctx.close();
        db.close();
    }

    /** Stages one user row: id, username, admin flag, with a sequence number. */
    private static void stageUser(long runId, long seq, String userId, String username, boolean admin) {
        stage(runId, seq, userId, username, admin);
    }

    private static void stage(long runId, long seq, String userId, String username, boolean admin) {
        jdbc.update("INSERT INTO census.stage_user (run_id, seq, user_id, username, security_groups, is_admin, suspended, status, uname) "
                + "VALUES (?, ?, ?, ?, '{g1}', ?, false, 2, ?)", runId, seq, userId, username, admin, "uname-" + userId);
    }

    private static void stageGuest(long runId, long seq, String hash) {
        jdbc.update("INSERT INTO census.stage_guest (run_id, billing_period, seq, username, username_hash) VALUES (?, ?, ?, ?, ?)",
                runId, PERIOD, seq, "guest-" + hash, hash);
    }

    private static JobExecution publish(long runId, String asOf) {
        return publish(NET, runId, asOf);
    }

    private static JobExecution publish(String network, long runId, String asOf) {
        // a fresh job instance per call (a unique parameter), so the same run can be published twice
        return batch.startStep("publish", new JobParametersBuilder(RunContext.identifying(network, LocalDate.parse(asOf)))
                .addJobParameters(batch.getUniqueJobParameters())
                .addLong(RunContext.RUN_ID, runId, false).addString(RunContext.BILLING_PERIODS, PERIOD, false)
                .toJobParameters(), new ExecutionContext());
    }

    private static List<Map<String, Object>> roster(String asOf) {
        return roster(NET, asOf);
    }

    private static List<Map<String, Object>> roster(String network, String asOf) {
        return jdbc.queryForList("SELECT user_id, username, is_admin FROM census.roster_as_of(?, ?::date) ORDER BY user_id", network, asOf);
    }

    /** The roster as "user_id username[ admin]". */
    private static List<String> rosterLines(String network, String asOf) {
        return roster(network, asOf).stream()
                .map(r -> r.get("user_id") + " " + r.get("username") + (Boolean.TRUE.equals(r.get("is_admin")) ? " admin" : "")).toList();
    }

    /** Clears a run's staged users as publish does, on a connection of its own that would fail rather than wait for a lock. */
    private static boolean clearStagedUsers(long runId) throws Exception {
        try (java.sql.Connection c = TestDatabases.connect(url); java.sql.Statement st = c.createStatement()) {
            st.execute("SET lock_timeout = '5s'");
            try (java.sql.ResultSet rs = st.executeQuery("SELECT census.clear_staged_users(" + runId + ")")) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static long stagedUsersFile() {
        return jdbc.queryForObject("SELECT pg_relation_filenode('census.stage_user')", Long.class);
    }

    /**
     * Publish truncates the staged users' table when no other run has rows there (no row-by-row
     * deletion), deletes only its own rows otherwise, and never waits for the table's lock: when
     * another session holds any lock on it, the run's rows are deleted.
     */
    @Test
    void stagedUsersAreTruncatedOnlyWhenNoOtherRunHasAnyAndTheLockIsFree() throws Exception {
        jdbc.update("DELETE FROM census.stage_user");
        stage(9001, 0, "a1", "alice", false);
        stage(9001, 1, "a2", "bob", false);
        long file = stagedUsersFile();
        assertThat(clearStagedUsers(9001)).isTrue();
        assertThat(stagedUsersFile()).as("truncated: a new file").isNotEqualTo(file);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user", Long.class)).isZero();

        stage(9002, 0, "b1", "carol", false);
        stage(9003, 0, "c1", "dave", false);
        stage(9003, 1, "c2", "erin", false);
        file = stagedUsersFile();
        assertThat(clearStagedUsers(9003)).isFalse();
        assertThat(jdbc.queryForList("SELECT run_id || ':' || user_id FROM census.stage_user", String.class))
                .as("another run's rows stay").containsExactly("9002:b1");
        assertThat(clearStagedUsers(9001)).as("rows of runs before it").isFalse();
        assertThat(stagedUsersFile()).isEqualTo(file);

        jdbc.update("DELETE FROM census.stage_user");
        stage(9004, 0, "d1", "frank", false);
        try (java.sql.Connection reader = TestDatabases.connect(url); java.sql.Statement st = reader.createStatement()) {
            reader.setAutoCommit(false);
            st.executeQuery("SELECT count(*) FROM census.stage_user").close(); // holds its lock until the transaction ends
            long started = System.nanoTime();
            assertThat(clearStagedUsers(9004)).isFalse();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).as("no wait for the lock").isLessThan(java.time.Duration.ofSeconds(4));
            reader.rollback();
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user", Long.class)).isZero();
        assertThat(stagedUsersFile()).isEqualTo(file);
    }

    /**
     * A users step that staged each user once says so; publish then takes the staged rows as they
     * are (no sort to pick each user's last), and the mark goes with the rest of staging. A users
     * step started again drops the mark of the attempt before.
     */
    @Test
    void aRunWhoseUsersWereEachStagedOnceIsPublishedFromItsRowsAsTheyAre() {
        String net = "net00003";
        long run = ledger.open(net, LocalDate.parse("2026-11-20"), List.of(YearMonth.parse(PERIOD))).runId();
        StagedChanges changes = new StagedChanges(new RunContext(run, net), ledger);
        changes.begin(jdbc);
        changes.listedOnce(jdbc);
        changes.begin(jdbc); // the step again, after a crash: its rows are staged afresh
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_once WHERE run_id = ?", Long.class, run)).isZero();
        stage(run, 0, "u2", "bob", true);
        stage(run, 1, "u1", "alice", false);
        changes.listedOnce(jdbc);
        assertThat(publish(net, run, "2026-11-20").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(rosterLines(net, "2026-11-20")).containsExactly("u1 alice", "u2 bob admin");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_once WHERE run_id = ?", Long.class, run)).isZero();
    }

    /**
     * Night 2 onwards, publish compares only the users the users step listed as changed while it
     * staged them; it trusts that list only while the history it was made against is still the
     * current one, and compares the whole roster after any publish or retraction since.
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void publishComparesOnlyTheListedUsersWhileTheHistoryTheListWasMadeAgainstIsCurrent(
            org.springframework.boot.test.system.CapturedOutput output) throws Exception {
        String net = "net00002";
        List<YearMonth> periods = List.of(YearMonth.parse(PERIOD));
        long run1 = ledger.open(net, LocalDate.parse("2026-11-20"), periods).runId();
        StagedChanges first = new StagedChanges(new RunContext(run1, net), ledger);
        first.begin(jdbc); // no published snapshot yet: nothing to list against
        stage(run1, 0, "u1", "alice", false);
        stage(run1, 1, "u2", "bob", false);
        stage(run1, 2, "u3", "carol", false);
        stage(run1, 3, "u4", "dave", false);
        first.batch(jdbc, 0, 4);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_change WHERE run_id = ?", Long.class, run1)).isZero();
        assertThat(publish(net, run1, "2026-11-20").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(output.getAll()).contains("published run " + run1 + " (users: a first snapshot, all new; 4 new or changed, 0 closed;");

        // night 2, in two batches: u1 changed in the first copy but served as it was in the second, u3
        // changed in its second copy, u5 new, u4 gone
        long run2 = ledger.open(net, LocalDate.parse("2026-11-21"), periods).runId();
        StagedChanges second = new StagedChanges(new RunContext(run2, net), ledger);
        second.begin(jdbc);
        stage(run2, 0, "u1", "alice-typo", false);
        stage(run2, 1, "u2", "bob", false);
        stage(run2, 2, "u3", "carol", false);
        second.batch(jdbc, 0, 3);
        stage(run2, 3, "u1", "alice", false);
        stage(run2, 4, "u5", "eve", false);
        stage(run2, 5, "u3", "carol", true);
        second.batch(jdbc, 3, 6);
        assertThat(jdbc.queryForList("SELECT user_id || ':' || seq FROM census.stage_user_change WHERE run_id = ? ORDER BY seq",
                String.class, run2)).containsExactly("u1:0", "u5:4", "u3:5");
        assertThat(publish(net, run2, "2026-11-21").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(output.getAll()).contains("published run " + run2 + " (users: 3 compared, those listed as changed while staging; "
                + "2 new or changed, 2 closed;");
        assertThat(rosterLines(net, "2026-11-21")).containsExactly("u1 alice", "u2 bob", "u3 carol admin", "u5 eve");
        assertThat(jdbc.queryForList("SELECT user_id FROM census.user_version WHERE network_id = ? ORDER BY user_id, valid_from",
                String.class, net)).as("u1's last copy equals its version: no new one").containsExactly("u1", "u2", "u3", "u3", "u4", "u5");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_change WHERE run_id = ?", Long.class, run2))
                .as("cleared with staging").isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_baseline WHERE run_id = ?", Long.class, run2)).isZero();

        // the 23rd is listed against the 21st; then the 22nd is published (bob renamed), so the list is stale:
        // bob, served as on the 21st, is not on it, and only comparing the whole roster versions him back
        long run4 = ledger.open(net, LocalDate.parse("2026-11-23"), periods).runId();
        StagedChanges fourth = new StagedChanges(new RunContext(run4, net), ledger);
        fourth.begin(jdbc);
        stage(run4, 0, "u1", "alice", false);
        stage(run4, 1, "u2", "bob", false);
        fourth.batch(jdbc, 0, 2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_change WHERE run_id = ?", Long.class, run4)).isZero();
        long run3 = ledger.open(net, LocalDate.parse("2026-11-22"), periods).runId();
        stage(run3, 0, "u1", "alice", false);
        stage(run3, 1, "u2", "bob2", false);
        assertThat(publish(net, run3, "2026-11-22").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(publish(net, run4, "2026-11-23").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(output.getAll()).contains("published run " + run4 + " (users: 2 compared, the whole staged roster;");
        assertThat(rosterLines(net, "2026-11-22")).containsExactly("u1 alice", "u2 bob2");
        assertThat(rosterLines(net, "2026-11-23")).containsExactly("u1 alice", "u2 bob");

        // the 24th begins its list against the 23rd; the 25th is published (bob renamed bob3) and the 24th's
        // batch lists against that; the 25th is retracted (bob is bob again): the list was made in part
        // against a history no longer current, though the latest published snapshot is the 23rd's again
        long run5 = ledger.open(net, LocalDate.parse("2026-11-24"), periods).runId();
        StagedChanges fifth = new StagedChanges(new RunContext(run5, net), ledger);
        fifth.begin(jdbc);
        long run6 = ledger.open(net, LocalDate.parse("2026-11-25"), periods).runId();
        stage(run6, 0, "u1", "alice", false);
        stage(run6, 1, "u2", "bob3", false);
        assertThat(publish(net, run6, "2026-11-25").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        stage(run5, 0, "u1", "alice", false);
        stage(run5, 1, "u2", "bob3", false);
        fifth.batch(jdbc, 0, 2);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user_change WHERE run_id = ?", Long.class, run5)).isZero();
        assertThat(new io.wickrcensus.job.launch.Retraction(ctx.getBean(javax.sql.DataSource.class), ParquetSettings.OFF,
                ctx.getBean(io.wickrcensus.parquet.ParquetExporter.class))
                .retract(net, LocalDate.parse("2026-11-25"), "test", "tester")).isEqualTo(io.wickrcensus.job.run.ExitCodes.OK);
        assertThat(rosterLines(net, "2026-11-25")).as("retracted: the 23rd's roster holds").containsExactly("u1 alice", "u2 bob");
        assertThat(publish(net, run5, "2026-11-24").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(output.getAll()).contains("published run " + run5 + " (users: 2 compared, the whole staged roster;");
        assertThat(rosterLines(net, "2026-11-24")).containsExactly("u1 alice", "u2 bob3");
    }

    /**
     * With each user staged once and listed against the current history, publish counts the users
     * who left instead of comparing both rosters: the nights below close exactly those who left,
     * also when as many joined as left (the roster's size alone would say nobody left).
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aListedNightClosesExactlyTheUsersWhoLeft(org.springframework.boot.test.system.CapturedOutput output) {
        String net = "net00004";
        night(net, "2026-11-20", "u1 alice", "u2 bob", "u3 carol", "u4 dave");
        // u1 renamed, u4 gone, u5 new
        long run2 = night(net, "2026-11-21", "u1 alice2", "u2 bob", "u3 carol", "u5 eve");
        assertThat(output.getAll()).contains("published run " + run2 + " (users: 2 compared, those listed as changed while staging; "
                + "2 new or changed, 2 closed;");
        assertThat(rosterLines(net, "2026-11-21")).containsExactly("u1 alice2", "u2 bob", "u3 carol", "u5 eve");
        // u3 renamed, nobody gone
        long run3 = night(net, "2026-11-22", "u1 alice2", "u2 bob", "u3 carol2", "u5 eve");
        assertThat(output.getAll()).contains("published run " + run3 + " (users: 1 compared, those listed as changed while staging; "
                + "1 new or changed, 1 closed;");
        // as many joined as left: u2 gone, u6 new
        long run4 = night(net, "2026-11-23", "u1 alice2", "u3 carol2", "u5 eve", "u6 frank");
        assertThat(output.getAll()).contains("published run " + run4 + " (users: 1 compared, those listed as changed while staging; "
                + "1 new or changed, 1 closed;");
        assertThat(rosterLines(net, "2026-11-23")).containsExactly("u1 alice2", "u3 carol2", "u5 eve", "u6 frank");
        assertThat(rosterLines(net, "2026-11-22")).containsExactly("u1 alice2", "u2 bob", "u3 carol2", "u5 eve");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.user_version WHERE network_id = ? AND valid_to IS NULL",
                Long.class, net)).isEqualTo(4);
    }

    /** A night of users ("id name"), each staged once in one batch, listed as the users step lists them, then published. */
    private static long night(String net, String asOf, String... users) {
        long run = ledger.open(net, LocalDate.parse(asOf), List.of(YearMonth.parse(PERIOD))).runId();
        StagedChanges changes = new StagedChanges(new RunContext(run, net), ledger);
        changes.begin(jdbc);
        for (int i = 0; i < users.length; i++) {
            String[] u = users[i].split(" ");
            stage(run, i, u[0], u[1], false);
        }
        changes.batch(jdbc, 0, users.length);
        changes.listedOnce(jdbc);
        assertThat(publish(net, run, asOf).getStatus()).isEqualTo(BatchStatus.COMPLETED);
        return run;
    }

    /** A failed write's exception (and so the log line made of it) does not quote the row's personal data. */
    @Test
    void aFailedWriteDoesNotCarryTheRowsValuesIntoTheLogs() {
        Throwable failure = null;
        try {
            jdbc.batchUpdate("INSERT INTO census.uname_directory (network_id, uname, username, first_resolved_at, last_resolved_at, "
                    + "last_run_id) VALUES (?, ?, ?, now(), now(), 1)", List.<Object[]>of(new Object[] {null, "uname-secret", "alice.private"}));
        } catch (RuntimeException e) {
            failure = e;
        }
        assertThat(failure).as("the NULL network violates the table").isNotNull();
        java.io.StringWriter trace = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(trace));
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getNextException() != null) {
                s.getNextException().printStackTrace(new java.io.PrintWriter(trace));
            }
        }
        assertThat(trace.toString()).contains("network_id").doesNotContain("alice.private").doesNotContain("uname-secret");
    }

    @Test
    void publishVersionsWhatChangedClosesWhatIsGoneAndClearsStaging() {
        // night 1: u1 staged twice (a page served again after a retry: the later copy wins), u2, u3; two guests
        long run1 = ledger.open(NET, LocalDate.parse("2026-11-20"), List.of(YearMonth.parse(PERIOD))).runId();
        stageUser(run1, 0, "u1", "alice-old", false);
        stageUser(run1, 1, "u2", "bob", false);
        stageUser(run1, 2, "u3", "carol", false);
        stageUser(run1, 3, "u1", "alice", false);
        stageGuest(run1, 0, "h1");
        stageGuest(run1, 1, "h2");
        assertThat(publish(run1, "2026-11-20").getStatus()).isEqualTo(BatchStatus.COMPLETED);

        assertThat(ledger.get(run1).status()).isEqualTo(RunStatus.PUBLISHED);
        assertThat(roster("2026-11-20")).extracting(r -> r.get("username")).containsExactly("alice", "bob", "carol");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_user WHERE run_id = ?", Long.class, run1)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.stage_guest WHERE run_id = ?", Long.class, run1)).isZero();

        // night 2: u2 made admin, u3 gone, u4 new, u1 unchanged; guest h2 gone
        long run2 = ledger.open(NET, LocalDate.parse("2026-11-21"), List.of(YearMonth.parse(PERIOD))).runId();
        stageUser(run2, 0, "u1", "alice", false);
        stageUser(run2, 1, "u2", "bob", true);
        stageUser(run2, 2, "u4", "dave", false);
        stageGuest(run2, 0, "h1");
        assertThat(publish(run2, "2026-11-21").getStatus()).isEqualTo(BatchStatus.COMPLETED);

        assertThat(roster("2026-11-20")).as("the earlier roster is unchanged").extracting(r -> r.get("user_id"))
                .containsExactly("u1", "u2", "u3");
        assertThat(roster("2026-11-21")).extracting(r -> r.get("user_id") + ":" + r.get("is_admin"))
                .containsExactly("u1:false", "u2:true", "u4:false");
        assertThat(jdbc.queryForList("SELECT user_id FROM census.user_version WHERE network_id = ? ORDER BY user_id, valid_from",
                String.class, NET)).as("a new version only where something changed").containsExactly("u1", "u2", "u2", "u3", "u4");
        assertThat(jdbc.queryForList("SELECT username_hash FROM census.guest_version WHERE network_id = ? AND valid_to IS NULL",
                String.class, NET)).containsExactly("h1");

        // a publish that fails partway through (here a trigger stands for a lost connection) gives its number
        // back: the relaunch publishes with the number an uninterrupted run would have had
        jdbc.execute("CREATE FUNCTION public.census_test_explode() RETURNS trigger LANGUAGE plpgsql AS "
                + "$$BEGIN IF NEW.username = 'explode' THEN RAISE EXCEPTION 'publish interrupted'; END IF; RETURN NEW; END$$");
        jdbc.execute("CREATE TRIGGER explode BEFORE INSERT ON census.user_version FOR EACH ROW EXECUTE FUNCTION public.census_test_explode()");
        long run3 = ledger.open(NET, LocalDate.parse("2026-11-22"), List.of(YearMonth.parse(PERIOD))).runId();
        stageUser(run3, 0, "u1", "alice", false);
        stageUser(run3, 1, "u5", "explode", false);
        assertThat(publish(run3, "2026-11-22").getStatus()).isEqualTo(BatchStatus.FAILED);
        jdbc.execute("DROP TRIGGER explode ON census.user_version");
        jdbc.execute("DROP FUNCTION public.census_test_explode()");
        assertThat(publish(run3, "2026-11-22").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(jdbc.queryForList("SELECT publish_seq FROM census.run WHERE publish_seq IS NOT NULL ORDER BY 1", Long.class))
                .containsExactly(1L, 2L, 3L);

        // publishing the same run again changes nothing
        long versions = jdbc.queryForObject("SELECT count(*) FROM census.user_version", Long.class);
        assertThat(publish(run3, "2026-11-22").getStatus()).isEqualTo(BatchStatus.COMPLETED);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM census.user_version", Long.class)).isEqualTo(versions);
        assertThat(jdbc.queryForObject("SELECT last FROM census.publish_counter", Long.class)).isEqualTo(3L);
    }
}
