package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.ReconcileMode;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
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
        return harness(true, countIncludesBots);
    }

    private static JobHarness harness(boolean listsBots, boolean countIncludesBots) throws Exception {
        return new JobHarness(1500, 20, TestDatabases.newDatabase("reconcile"), JobHarness.PERIODS,
                b -> b.listUsersIncludesBots(listsBots).usersCountIncludesBots(countIncludesBots));
    }

    private static Map<String, Object> run(JobHarness h, String asOf) throws Exception {
        return h.query("SELECT status, users_staged, users_reported, bots_staged, bots_reported, users_count_reading, "
                + "users_reported_before, bots_reported_before, "
                + "reconcile_outcome, reconcile_detail FROM census.runs WHERE snapshot_date = ?::date", asOf).get(0);
    }

    @ParameterizedTest(name = "ListUsers lists bots: {0}, GetUsersCount counts bots: {1}")
    @CsvSource({"true,false,bots-excluded", "true,true,bots-included", "false,false,bots-unlisted", "false,true,bots-unlisted-counted"})
    void theJobPublishesUnderEveryReadingOfTheCountsAndRecordsWhichMatched(boolean listsBots, boolean countIncludesBots,
                                                                          String reading) throws Exception {
        try (JobHarness h = harness(listsBots, countIncludesBots)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK); // under --reconcile=fail, with a tolerance of 0

            Map<String, Object> r = run(h, "2026-11-20");
            assertThat(r.get("status")).isEqualTo("PUBLISHED");
            assertThat(r.get("users_count_reading")).isEqualTo(reading);
            assertThat(r.get("reconcile_outcome")).isEqualTo("matched");
            long botsReported = ((Number) r.get("bots_reported")).longValue();
            assertThat(botsReported).as("the emulator's networks hold about 2% bots").isPositive();
            assertThat(r.get("bots_staged")).isEqualTo(listsBots ? botsReported : 0L);
            long usersOnly = ((Number) r.get("users_staged")).longValue() - ((Number) r.get("bots_staged")).longValue();
            assertThat(((Number) r.get("users_reported")).longValue()).isEqualTo(usersOnly + (countIncludesBots ? botsReported : 0));
            assertThat(r.get("users_reported_before")).isEqualTo(r.get("users_reported"));
            assertThat(r.get("bots_reported_before")).isEqualTo(r.get("bots_reported"));
            assertThat(h.count("SELECT count(*) FROM census.roster_current")).isEqualTo(h.servedUsers().size());
        }
    }

    /**
     * 150 users, two pages. A day of churn lands after the first page (joiners are listed at the
     * end, leavers anywhere: what was staged is neither reading, within a few users of one), or after
     * both (what was staged is the first reading, tens of users off the second). Read after paging
     * only, with an allowance of 0.5%, either fails.
     */
    @ParameterizedTest(name = "churn {1} after {0} page(s)")
    @CsvSource({"1,0.04", "2,0.2"})
    void aSmallNetworkThatChangesWhileItIsPagedReconcilesBetweenTheTwoReadings(int pages, double churnRate) throws Exception {
        // two guests a period: the day of churn adds one to the latest period, within the allowance whenever its guests are paged
        try (JobHarness h = new JobHarness(150, 2, TestDatabases.newDatabase("reconcile"), JobHarness.PERIODS,
                b -> b.churnRate(churnRate))) {
            h.emulator.churnAfter(h.network, "ListUsers", pages, 1);
            assertThat(CensusRun.execute(h.builder("2026-11-20").reconcileTolerance(RunSettings.DEFAULT_RECONCILE_TOLERANCE).build(),
                    CREDENTIALS)).isEqualTo(ExitCodes.OK);

            Map<String, Object> r = run(h, "2026-11-20");
            assertThat(h.emulator.day(h.network)).as("the network changed while it was paged").isEqualTo(1);
            assertThat(r.get("users_reported_before")).isNotEqualTo(r.get("users_reported"));
            assertThat(r.get("users_staged")).isNotEqualTo(r.get("users_reported"));
            assertThat(r.get("status")).isEqualTo("PUBLISHED");
            assertThat(r.get("reconcile_outcome")).isEqualTo("matched");
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
