package io.wickrcensus.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.CensusRetract;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The Iceberg tables as an engine that is not the job's own code reads them: Apache Spark 4.1 in
 * local mode with Iceberg's Spark runtime (src/test/spark), in a JVM of its own, through the JDBC
 * catalog in the job's database, as an auditor's engine would. Three nights with churn, the last
 * one retracted: the roster per night, time travel by tag, the retraction's effect, and users and
 * guests equal to the PostgreSQL views row for row.
 */
class IcebergEngineTest {

    private static final Path SPARK = Path.of("target", "spark-check").toAbsolutePath();
    private static final List<String> NIGHTS = List.of("2026-11-20", "2026-11-21", "2026-11-22");
    private static final String USER_COLUMNS = "user_id, first_name, last_name, username, status, is_admin, suspended, otp_enabled, "
            + "is_invite_expired, is_user, cell, country_code, uname";

    /** Runs the statements in Spark; returns each statement's rows (tab-separated values), by statement number from 1. */
    static Map<Integer, List<String>> spark(String jdbcUrl, Path warehouse, String... sql) throws Exception {
        Assumptions.assumeTrue(Files.exists(SPARK.resolve("classpath.txt")), "Spark was not built (-DskipSpark)");
        List<String> cmd = new ArrayList<>(List.of("bash", Path.of("src", "test", "spark", "sql").toAbsolutePath().toString(),
                Lake.withSchema(jdbcUrl), "postgres", "", LocalFileIO.location(warehouse)));
        cmd.addAll(List.of(sql));
        Path out = TestFiles.log("spark-out");
        Path err = TestFiles.log("spark-err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + TestFiles.root());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Spark did not finish within 300 s");
        }
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        Map<Integer, List<String>> rows = new java.util.TreeMap<>();
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
            int tab = line.indexOf('\t');
            if (tab > 0 && line.substring(0, tab).matches("\\d+")) {
                rows.computeIfAbsent(Integer.valueOf(line.substring(0, tab)), k -> new ArrayList<>()).add(line.substring(tab + 1));
            }
        }
        return rows;
    }

    private static String cell(Object v) {
        return v == null ? "null" : String.valueOf(v);
    }

    @Test
    void sparkReadsTheRosterPerNightTimeTravelsByTagSeesTheRetractionAndAgreesWithPostgresRowForRow() throws Exception {
        Path root = TestFiles.dir("iceberg-engine");
        try (JobHarness h = new JobHarness(300, 30, TestDatabases.newDatabase("engine"), JobHarness.PERIODS, b -> b.churnRate(0.05))) {
            for (String n : NIGHTS) {
                assertThat(h.run(IcebergJobTest.night(h, n, root), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
                h.emulator.advanceDays(h.network, 1);
            }
            Map<String, Long> before = h.query("SELECT snapshot_date::text AS d, count(*) AS n FROM census.roster_by_run GROUP BY 1").stream()
                    .collect(Collectors.toMap(m -> (String) m.get("d"), m -> ((Number) m.get("n")).longValue()));
            Set<String> night2 = h.query("SELECT " + USER_COLUMNS + " FROM census.roster_by_run WHERE snapshot_date = '2026-11-21'").stream()
                    .map(m -> m.values().stream().map(IcebergEngineTest::cell).collect(Collectors.joining("\t")))
                    .collect(Collectors.toCollection(TreeSet::new));
            RunSettings s = IcebergJobTest.night(h, NIGHTS.get(2), root);
            assertThat(CensusRetract.execute(s.database(), s.roles(), s.parquet(), s.iceberg(), h.network, LocalDate.parse(NIGHTS.get(2)),
                    "a night taken against the wrong network", "auditor-1", io.wickrcensus.job.AfterRetract.NONE)).isEqualTo(ExitCodes.OK);

            String t = "census.wickr_census.";
            String net = "'" + h.network + "'";
            Map<Integer, List<String>> r = spark(h.dbUrl, root.resolve(IcebergSettings.WAREHOUSE_DIR),
                    "SELECT CAST(snapshot_date AS STRING), count(*) FROM " + t + "users WHERE network_id = " + net + " GROUP BY 1 ORDER BY 1",
                    "SELECT " + USER_COLUMNS + " FROM " + t + "users VERSION AS OF '" + h.network + "@2026-11-21' WHERE snapshot_date = DATE '2026-11-21'",
                    "SELECT count(*) FROM " + t + "users VERSION AS OF 'retracted-" + h.network + "@2026-11-22' WHERE snapshot_date = DATE '2026-11-22'",
                    "SELECT count(*) FROM " + t + "users WHERE snapshot_date = DATE '2026-11-22'",
                    "SELECT " + USER_COLUMNS + ", CAST(snapshot_date AS STRING), array_join(security_groups, ',') FROM " + t + "users",
                    "SELECT billing_period, username, username_hash, CAST(snapshot_date AS STRING) FROM " + t + "guests",
                    "SELECT status, count(*) FROM " + t + "runs GROUP BY 1 ORDER BY 1",
                    "SELECT count(*) FROM " + t + "user_events");

            // the roster count per night: the retracted night is gone
            assertThat(r.get(1)).containsExactly("2026-11-20\t" + before.get("2026-11-20"), "2026-11-21\t" + before.get("2026-11-21"));
            // time travel by a night's tag
            assertThat(new TreeSet<>(r.get(2))).isEqualTo(night2);
            // the retraction: gone now, kept under its evidence tag
            assertThat(r.get(3)).containsExactly(Long.toString(before.get("2026-11-22")));
            assertThat(r.get(4)).containsExactly("0");
            // row for row with PostgreSQL
            Set<String> users = h.query("SELECT " + USER_COLUMNS + ", snapshot_date::text, array_to_string(security_groups, ',') AS g "
                    + "FROM census.roster_by_run").stream()
                    .map(m -> m.values().stream().map(IcebergEngineTest::cell).collect(Collectors.joining("\t")))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(new TreeSet<>(r.get(5))).isEqualTo(users);
            Set<String> guests = h.query("SELECT g.billing_period, g.username, g.username_hash, g.snapshot_date::text FROM census.guests_by_run g "
                    + "JOIN census.run_period rp ON rp.run_id = g.run_id AND rp.billing_period = g.billing_period "
                    + "WHERE g.run_id = (SELECT max(p.run_id) FROM census.published_runs p JOIN census.run_period x USING (run_id) "
                    + "WHERE x.billing_period = g.billing_period)").stream()
                    .map(m -> m.values().stream().map(IcebergEngineTest::cell).collect(Collectors.joining("\t")))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(new TreeSet<>(r.get(6))).isEqualTo(guests);
            assertThat(r.get(7)).containsExactly("PUBLISHED\t2", "RETRACTED\t1");
            assertThat(r.get(8)).containsExactly(Long.toString(h.count("SELECT count(*) FROM census.user_events_by_run")));
        }
    }
}
