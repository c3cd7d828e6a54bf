package io.wickrcensus.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.report.AuditReport;
import io.wickrcensus.report.GuestBillingReport;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code retract}: the latest published snapshot of a network is undone exactly, in PostgreSQL and
 * in the Parquet datasets, recorded for auditors, and a retraction killed midway is finished by the
 * next one.
 */
class RetractTest {

    /** What the history holds, independent of the run that is retracted: the part a retraction must restore exactly. */
    private static Map<String, String> history(String db, Path parquet) throws Exception {
        Map<String, String> d = new LinkedHashMap<>();
        JobHarness.digest(db).forEach((k, v) -> {
            if (List.of("roster", "user_versions", "guests").contains(k)) {
                d.put(k, v);
            }
        });
        JobHarness.parquetDigest(parquet).forEach((k, v) -> {
            if (List.of("parquet users", "parquet guest_users", "parquet stray files").contains(k)) {
                d.put(k, v);
            }
        });
        return d;
    }

    private static GuestBillingReport.Network guestBilling(JobHarness h, YearMonth period) throws Exception {
        try (Connection c = TestDatabases.connect(h.dbUrl)) {
            return GuestBillingReport.load(c, period, h.network, 3).networks().get(0);
        }
    }

    /** A night in this process, writing Parquet where the child JVMs of the harness do. */
    private static int night(JobHarness h, String asOf) {
        return h.run(h.builder(asOf).parquet(h.parquet.withOutputDir(h.outputDir(h.dbUrl))).build(), JobHarness.SECRET);
    }

    /** Two nights, then a third with changes: the third is retracted. Returns the history after the second. */
    private static Map<String, String> twoNightsThenAThird(JobHarness h, String db, Path log) throws Exception {
        assertThat(night(h, "2026-11-18")).isEqualTo(ExitCodes.OK);
        h.emulator.advanceDays(h.network, 1);
        assertThat(night(h, "2026-11-19")).isEqualTo(ExitCodes.OK);
        Map<String, String> before = history(db, h.outputDir(db));
        h.emulator.advanceDays(h.network, 1);
        assertThat(night(h, "2026-11-20")).isEqualTo(ExitCodes.OK);
        assertThat(history(db, h.outputDir(db))).as("the third night changed the history").isNotEqualTo(before);
        return before;
    }

    @Test
    void theLatestSnapshotIsUndoneExactlyAndRecordedForAuditors() throws Exception {
        try (JobHarness h = new JobHarness(600, 40)) {
            String db = h.dbUrl;
            Path log = TestFiles.log("census-retract");
            Map<String, String> before = twoNightsThenAThird(h, db, log);
            GuestBillingReport.Network octoberBefore = guestBilling(h, YearMonth.of(2026, 10));
            assertThat(guestBilling(h, YearMonth.of(2026, 11)).snapshotDate()).isEqualTo(LocalDate.parse("2026-11-20"));

            assertThat(JobHarness.await(h.launchRetract(db, "2026-11-19", null, log, "not the latest")))
                    .as("only the latest published snapshot").isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(JobHarness.await(h.launchRetract(db, "2026-11-20", null, log, "typo in --as-of (ticket 42)")))
                    .as(Files.readString(log)).isEqualTo(ExitCodes.OK);

            assertThat(history(db, h.outputDir(db))).isEqualTo(before);
            Map<String, Object> run = h.query("SELECT status, retracted_by, retraction_reason, retracted_at FROM census.runs "
                    + "WHERE network_id = ? AND snapshot_date = '2026-11-20'", h.network).get(0);
            assertThat(run).containsEntry("status", "RETRACTED").containsEntry("retraction_reason", "typo in --as-of (ticket 42)")
                    .containsEntry("retracted_by", System.getProperty("user.name"));
            assertThat(run.get("retracted_at")).isNotNull();
            assertThat(h.count("SELECT count(*) FROM census.published_runs WHERE snapshot_date = '2026-11-20'")).isZero();

            // finance: a final figure whose deciding snapshot was not the retracted one does not move; a provisional
            // one decided by the retracted snapshot falls back to the one before, and the report says so
            GuestBillingReport.Network october = guestBilling(h, YearMonth.of(2026, 10));
            assertThat(october.status()).isEqualTo(GuestBillingReport.FINAL);
            assertThat(october.snapshotDate()).isEqualTo(octoberBefore.snapshotDate());
            assertThat(october.guests()).isEqualTo(octoberBefore.guests());
            assertThat(october.note()).isNull();
            GuestBillingReport.Network november = guestBilling(h, YearMonth.of(2026, 11));
            assertThat(november.snapshotDate()).isEqualTo(LocalDate.parse("2026-11-19"));
            assertThat(november.note()).contains("The snapshot of 2026-11-20, which decided this figure before, was retracted on ")
                    .contains("typo in --as-of (ticket 42)");
            assertThat(november.retracted()).extracting(GuestBillingReport.Retracted::snapshotDate)
                    .containsExactly(LocalDate.parse("2026-11-20"));
            // auditors: the audit report lists the retraction, who made it and why
            try (Connection c = TestDatabases.connect(db)) {
                AuditReport audit = AuditReport.load(c, h.network, LocalDate.parse("2026-11-21"), null);
                assertThat(audit.snapshotDate()).isEqualTo(LocalDate.parse("2026-11-19"));
                assertThat(audit.retractions()).singleElement().satisfies(x -> {
                    assertThat(x.snapshotDate()).isEqualTo(LocalDate.parse("2026-11-20"));
                    assertThat(x.reason()).isEqualTo("typo in --as-of (ticket 42)");
                    assertThat(x.retractedBy()).isEqualTo(System.getProperty("user.name"));
                });
            }

            assertThat(JobHarness.await(h.launchRetract(db, "2026-11-20", null, log, "again"))).isEqualTo(ExitCodes.ALREADY_COMPLETE);
            assertThat(night(h, "2026-11-20")).as("a retracted date is not taken again").isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(night(h, "2026-11-21")).as("the next night runs: the retracted snapshot no longer counts as the latest")
                    .isEqualTo(ExitCodes.OK);
            assertThat(Files.readString(log)).contains("only the latest published snapshot of a network can be retracted");
        }
    }

    @ParameterizedTest(name = "killed at {0}")
    @ValueSource(strings = {"retract.after-commit:1", "retract.parquet:1"})
    void aRetractionKilledMidwayIsFinishedByTheNextOne(String crashAt) throws Exception {
        try (JobHarness h = new JobHarness(400, 40)) {
            String db = h.dbUrl;
            Path log = TestFiles.log("census-retract-crash");
            Map<String, String> before = twoNightsThenAThird(h, db, log);

            assertThat(JobHarness.await(h.launchRetract(db, "2026-11-20", crashAt, log, "bad night"))).isEqualTo(137);
            assertThat(JobHarness.await(h.launchRetract(db, "2026-11-20", null, log, "bad night"))).as(Files.readString(log))
                    .isEqualTo(ExitCodes.OK);
            assertThat(history(db, h.outputDir(db))).isEqualTo(before);
            assertThat(JobHarness.await(h.launchRetract(db, "2026-11-20", null, log, "bad night"))).isEqualTo(ExitCodes.ALREADY_COMPLETE);
        }
    }
}
