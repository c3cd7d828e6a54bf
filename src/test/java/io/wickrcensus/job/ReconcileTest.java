package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.ReconcileMode;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Step 4 against both readings of GetUsersCount the model allows (its total with or without the
 * bots ListUsers lists), and what {@code --reconcile} does when the counts do not agree.
 */
class ReconcileTest {

    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET));

    private static JobHarness harness(boolean countIncludesBots) throws Exception {
        return new JobHarness(1500, 20, TestDatabases.newDatabase("reconcile"), JobHarness.PERIODS,
                b -> b.usersCountIncludesBots(countIncludesBots));
    }

    private static Map<String, Object> run(JobHarness h, String asOf) throws Exception {
        return h.query("SELECT status, users_staged, users_reported, bots_staged, bots_reported, users_count_reading, "
                + "reconcile_outcome, reconcile_detail FROM census.runs WHERE snapshot_date = ?::date", asOf).get(0);
    }

    @ParameterizedTest(name = "GetUsersCount counts bots: {0}")
    @ValueSource(booleans = {false, true})
    void theJobPublishesUnderEitherCountSemanticsAndRecordsWhichMatched(boolean countIncludesBots) throws Exception {
        try (JobHarness h = harness(countIncludesBots)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);

            Map<String, Object> r = run(h, "2026-11-20");
            assertThat(r.get("status")).isEqualTo("PUBLISHED");
            assertThat(r.get("users_count_reading")).isEqualTo(countIncludesBots ? "bots-included" : "bots-excluded");
            assertThat(r.get("reconcile_outcome")).isEqualTo("matched");
            long bots = ((Number) r.get("bots_staged")).longValue();
            assertThat(bots).as("the emulator's networks hold about 2% bots").isPositive();
            assertThat(r.get("bots_reported")).isEqualTo(r.get("bots_staged"));
            assertThat(((Number) r.get("users_reported")).longValue())
                    .isEqualTo(((Number) r.get("users_staged")).longValue() - (countIncludesBots ? 0 : bots));
        }
    }

    @Test
    void countsThatDoNotReconcileFailTheRunBeforePublishingAndSayHowToRelaxIt() throws Exception {
        try (JobHarness h = harness(false)) {
            h.emulator.faults().usersCountOffset(40);
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.FAILED);

            Map<String, Object> r = run(h, "2026-11-20");
            assertThat(r.get("status")).isEqualTo("FAILED");
            assertThat(h.count("SELECT count(*) FROM census.published_runs")).isZero();
            assertThat(h.count("SELECT count(*) FROM census.user_version")).isZero();
            assertThat(h.query("SELECT last_error FROM census.run").get(0).get("last_error").toString())
                    .contains("does not reconcile", "active staged", "reported", "--reconcile=warn", "nothing was published");
        }
    }

    @Test
    void warnPublishesAndFlagsTheRunOffDoesNotCompare() throws Exception {
        try (JobHarness h = harness(false); DatabaseLocation db = DatabaseLocation.resolve(JobHarness.database(h.dbUrl))) {
            h.emulator.faults().usersCountOffset(40);
            RunMetrics metrics = new RunMetrics();
            assertThat(CensusRun.execute(h.builder("2026-11-20").reconcile(ReconcileMode.WARN).build(), CREDENTIALS, db, metrics))
                    .isEqualTo(ExitCodes.OK);
            Map<String, Object> warned = run(h, "2026-11-20");
            assertThat(warned.get("status")).isEqualTo("PUBLISHED");
            assertThat(warned.get("reconcile_outcome")).isEqualTo("warned");
            assertThat((String) warned.get("reconcile_detail")).contains("active staged");
            assertThat(metrics.reconcileWarnings()).isEqualTo(1);
            assertThat(metrics.summary()).contains("RECONCILE WARNINGS 1");
            // and in the reports: finance's figure and the auditors' list carry the warning
            try (var c = TestDatabases.connect(h.dbUrl)) {
                assertThat(io.wickrcensus.report.GuestBillingReport.load(c, java.time.YearMonth.of(2026, 11), h.network, 3)
                        .networks().get(0).reconcileWarning()).contains("active staged");
                assertThat(io.wickrcensus.report.AuditReport.load(c, h.network, java.time.LocalDate.parse("2026-11-20"), null)
                        .reconcileWarnings()).singleElement().satisfies(w -> assertThat(w.detail()).contains("active staged"));
            }

            assertThat(CensusRun.execute(h.builder("2026-11-21").reconcile(ReconcileMode.OFF).build(), CREDENTIALS, db, new RunMetrics()))
                    .isEqualTo(ExitCodes.OK);
            assertThat(run(h, "2026-11-21").get("reconcile_outcome")).isEqualTo("off");
        }
    }
}
