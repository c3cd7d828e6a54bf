package io.wickrcensus.job.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.model.User;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.testing.JobHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The users partition written as the users step commits its batches, against a real store and ledger. */
class UsersPartitionAsStagedTest {

    private static User user(String id, String lastName) {
        return new User(id, "First", lastName, id + "@example.com", List.of("g1", "g2"), false, false, User.STATUS_ACTIVE, true, null,
                "normal", null, null, 0, false, true, false, "uname-" + id);
    }

    /** A harness whose night 1 is published (run 1 in the ledger) without Parquet, and the exporter of the run's partitions. */
    private record Setup(JobHarness h, ParquetExporter exporter, RunLedger ledger, RunContext run) {
        static Setup of(JobHarness h) throws Exception {
            h.parquet = h.parquet.withEnabled(false);
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            h.parquet = h.parquet.withEnabled(true);
            DriverManagerDataSource ds = new DriverManagerDataSource(h.dbUrl, "postgres", "");
            return new Setup(h, new ParquetExporter(ds, h.parquet), new RunLedger(new JdbcTemplate(ds)), new RunContext(1, h.network));
        }

        UsersPartitionAsStaged partition() {
            return new UsersPartitionAsStaged(exporter, run, ledger);
        }
    }

    @Test
    void theUsersOfEveryCommittedBatchBecomeThePartitionInTheOrderListed() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition();
            p.begin();
            p.committed(List.of(user("u2", "Beta"), user("u1", "Alpha")));
            p.committed(List.of(user("u3", "Gamma")));
            p.end(true);
            ParquetExporter.Prepared prepared = p.result();
            assertThat(prepared).isNotNull();
            assertThat(prepared.usersRows()).isEqualTo(3);
            s.exporter.export(1, h.network, LocalDate.parse("2026-11-20"), List.of("2026-10", "2026-11"), prepared);
            assertThat(duck("SELECT user_id, last_name, security_groups::VARCHAR, status, run_id FROM read_parquet('"
                    + h.outputDir.resolve("users") + "/**/*.parquet', hive_partitioning = true)"))
                    .containsExactly("u2|Beta|[g1, g2]|2|1", "u1|Alpha|[g1, g2]|2|1", "u3|Gamma|[g1, g2]|2|1");
        }
    }

    /** Publish keeps the last row staged of a user listed twice: the partition written as listed would keep both, so it is given up. */
    @Test
    void aUserListedTwiceGivesThePartitionUpAndLeavesNothingBehind() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition();
            p.begin();
            p.committed(List.of(user("u1", "Alpha"), user("u2", "Beta")));
            p.committed(List.of(user("u3", "Gamma"), user("u1", "Alpha, renamed")));
            p.committed(List.of(user("u4", "Delta"))); // after the write was given up: dropped, staging goes on
            p.end(true);
            assertThat(p.result()).isNull();
            assertThat(files(h.outputDir)).isEmpty();
        }
    }

    @Test
    void aUsersStepThatDidNotCompleteLeavesNothingBehind() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition();
            p.begin();
            p.committed(List.of(user("u1", "Alpha")));
            p.end(false);
            p.end(true); // the scope's close after the step's end changes nothing
            assertThat(p.result()).isNull();
            assertThat(files(h.outputDir)).isEmpty();
        }
    }

    @Test
    void aPartitionWrittenAndNotTakenIsAbandonedWithTheJob() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition();
            p.begin();
            p.committed(List.of(user("u1", "Alpha")));
            p.end(true);
            assertThat(p.result()).isNotNull();
            assertThat(files(h.outputDir)).as("the version's file, not yet the partition's").isNotEmpty();
            p.abandon();
            assertThat(files(h.outputDir)).isEmpty();
        }
    }

    @Test
    void userIdsTellARepeatFromANewIdAcrossTheTableGrowing() {
        UsersPartitionAsStaged.UserIds ids = new UsersPartitionAsStaged.UserIds();
        for (int i = 0; i < 100_000; i++) {
            assertThat(ids.add("user-" + i)).as("user-%d is new", i).isTrue();
        }
        assertThat(ids.add("user-0")).isFalse();
        assertThat(ids.add("user-99999")).isFalse();
        assertThat(ids.add("user-100000")).isTrue();
        assertThat(ids.add(null)).isTrue();
        assertThat(ids.add(null)).isFalse();
    }

    private static List<String> duck(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            List<String> rows = new ArrayList<>();
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder b = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    b.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                rows.add(b.toString());
            }
            return rows;
        }
    }

    private static List<Path> files(Path root) throws Exception {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }
}
