package io.wickrcensus.job.ahead;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.internal.UsersPageReader;
import io.wickrcensus.api.model.ListedUser;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunContext;
import io.wickrcensus.job.run.RunLedger;
import io.wickrcensus.parquet.ParquetExporter;
import io.wickrcensus.parquet.WriteAhead;
import io.wickrcensus.testing.Duck;
import io.wickrcensus.testing.JobHarness;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The users partition written as the users step commits its batches, against a real store and ledger. */
class UsersPartitionAsStagedTest {

    /** A user as the users step stages it: read from a ListUsers page, its strings slices of the page's bytes. */
    private static ListedUser user(String id, String lastName) {
        String page = "{\"users\":[{\"userId\":\"" + id + "\",\"firstName\":\"First\",\"lastName\":\"" + lastName
                + "\",\"username\":\"" + id + "@example.com\",\"securityGroups\":[\"g1\",\"g2\"],\"isAdmin\":false,"
                + "\"suspended\":false,\"status\":2,\"otpEnabled\":true,\"type\":\"normal\",\"challengeFailures\":0,"
                + "\"isInviteExpired\":false,\"isUser\":true,\"codeValidation\":false,\"uname\":\"uname-" + id + "\"}]}";
        return UsersPageReader.readListed(page.getBytes(StandardCharsets.UTF_8)).users().get(0);
    }

    /** A harness whose night 1 is published (run 1 in the ledger) without Parquet, and the exporter of the run's partitions. */
    private record Setup(JobHarness h, ParquetExporter exporter, WriteAhead ahead, RunLedger ledger, RunContext run) {
        static Setup of(JobHarness h) throws Exception {
            h.parquet = h.parquet.withEnabled(false);
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            h.parquet = h.parquet.withEnabled(true);
            DriverManagerDataSource ds = new DriverManagerDataSource(h.dbUrl, "postgres", "");
            return new Setup(h, new ParquetExporter(ds, h.parquet), new WriteAhead(ds, h.parquet), new RunLedger(new JdbcTemplate(ds)),
                    new RunContext(1, h.network));
        }

        /** A partition begun, fed these committed batches, one after the other. */
        @SafeVarargs
        final UsersPartitionAsStaged partition(List<ListedUser>... batches) {
            UsersPartitionAsStaged p = new UsersPartitionAsStaged(ahead, run, ledger);
            p.begin();
            for (List<ListedUser> b : batches) {
                p.committed(null, b);
            }
            return p;
        }
    }

    @Test
    void theUsersOfEveryCommittedBatchBecomeThePartitionInTheOrderListed() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition(List.of(user("u2", "Beta"), user("u1", "Alpha")), List.of(user("u3", "Gamma")));
            p.end(true);
            WriteAhead.Prepared prepared = p.result();
            assertThat(prepared).isNotNull();
            assertThat(prepared.usersRows()).isEqualTo(3);
            s.exporter.export(1, h.network, LocalDate.parse("2026-11-20"), List.of("2026-10", "2026-11"), prepared);
            assertThat(Duck.rows("SELECT user_id, last_name, security_groups::VARCHAR, status, run_id FROM read_parquet('"
                    + h.outputDir.resolve("users") + "/**/*.parquet', hive_partitioning = true)"))
                    .containsExactly("u2|Beta|[g1, g2]|2|1", "u1|Alpha|[g1, g2]|2|1", "u3|Gamma|[g1, g2]|2|1");
        }
    }

    /** A step that did not complete, or listed a user twice (publish keeps the last row staged of each): the partition is given up. */
    @Test
    void aUsersStepThatWasNotWholeLeavesNothingBehind() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition(List.of(user("u1", "Alpha")));
            p.end(false);
            p.end(true); // told again: changes nothing
            assertThat(p.result()).isNull();
            assertThat(Duck.files(h.outputDir)).isEmpty();
        }
    }

    @Test
    void aPartitionWrittenAndNotTakenIsAbandonedWithTheJob() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition(List.of(user("u1", "Alpha")));
            p.end(true);
            assertThat(p.result()).isNotNull();
            assertThat(Duck.files(h.outputDir)).as("the version's file, not yet the partition's").isNotEmpty();
            p.abandon();
            assertThat(Duck.files(h.outputDir)).isEmpty();
        }
    }

    /** A step still staging when the job ends: the writer waiting for the next batch is stopped and waited for, and leaves nothing. */
    @Test
    void abandoningWhileTheStepStillStagesEndsTheWriterBeforeItReturns() throws Exception {
        try (JobHarness h = new JobHarness(40, 5)) {
            Setup s = Setup.of(h);
            UsersPartitionAsStaged p = s.partition(List.of(user("u1", "Alpha")), List.of(user("u2", "Beta")));
            p.abandon(); // no end told: the writer waits for a batch
            assertThat(Thread.getAllStackTraces().keySet()).as("the writer has ended")
                    .noneMatch(t -> t.getName().equals("parquet-as-staged-" + h.network));
            assertThat(p.result()).isNull();
            assertThat(Duck.files(h.outputDir)).isEmpty();
            p.committed(null, List.of(user("u3", "Gamma"))); // a batch committed after the end is not queued, nor waited on
            p.end(true);
            assertThat(p.result()).isNull();
        }
    }
}
