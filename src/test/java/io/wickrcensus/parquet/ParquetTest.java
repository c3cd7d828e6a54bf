package io.wickrcensus.parquet;

import io.wickrcensus.testing.TestFiles;
import io.wickrcensus.testing.JobHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The Parquet datasets, read back by an independent reader (DuckDB) and compared with PostgreSQL. */
class ParquetTest {

    static List<String> duck(String sql) throws Exception {
        return io.wickrcensus.testing.Duck.rows(sql);
    }

    static List<String> pg(JobHarness h, String sql, Object... args) throws Exception {
        List<String> rows = new ArrayList<>();
        for (Map<String, Object> r : h.query(sql, args)) {
            rows.add(String.join("|", r.values().stream().map(String::valueOf).toList()));
        }
        return rows;
    }

    static String glob(Path root, String dataset) {
        return "read_parquet('" + root.resolve(dataset) + "/**/*.parquet', hive_partitioning = true)";
    }

    static List<Path> files(Path root) throws Exception {
        return io.wickrcensus.testing.Duck.files(root);
    }

    @Test
    void everyDatasetReadsBackEqualToPostgres() throws Exception {
        try (JobHarness h = new JobHarness(2500, 200)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            Path out = h.outputDir;
            assertThat(duck("SELECT count(*) FROM " + glob(out, "users"))).containsExactly("2500");
            assertThat(duck("SELECT count(DISTINCT user_id), min(network_id), min(snapshot_date)::VARCHAR FROM " + glob(out, "users")))
                    .containsExactly("2500|" + h.network + "|2026-11-20");
            String cols = "user_id, username, first_name, array_to_string(security_groups, ','), is_admin, suspended, status, "
                    + "otp_enabled, cell, challenge_failures, is_invite_expired, uname";
            List<String> fromDuck = duck("SELECT " + cols.replace("array_to_string(security_groups, ',')", "array_to_string(security_groups, ',')")
                    + " FROM " + glob(out, "users") + " ORDER BY user_id");
            List<String> fromPg = pg(h, "SELECT user_id, username, first_name, array_to_string(security_groups, ','), is_admin, suspended, "
                    + "status, otp_enabled, cell, challenge_failures, is_invite_expired, uname FROM census.roster_current ORDER BY user_id");
            assertThat(fromDuck).isEqualTo(fromPg);

            for (String period : List.of("2026-10", "2026-11")) {
                assertThat(duck("SELECT count(*), count(DISTINCT username_hash) FROM " + glob(out, "guest_users")
                        + " WHERE billing_period = '" + period + "'")).containsExactly("200|200");
            }
            assertThat(duck("SELECT username_hash, username FROM " + glob(out, "guest_users") + " ORDER BY billing_period, username_hash"))
                    .isEqualTo(pg(h, "SELECT username_hash, username FROM census.guests_by_run ORDER BY billing_period, username_hash"));
            assertThat(duck("SELECT count(*) FROM " + glob(out, "unames")))
                    .containsExactly(String.valueOf(h.count("SELECT count(*) FROM census.unames")));
            assertThat(duck("SELECT uname, username, epoch_us(first_resolved_at), epoch_us(last_resolved_at) FROM " + glob(out, "unames")
                    + " ORDER BY uname")).as("the directory's timestamps to the microsecond")
                    .isEqualTo(pg(h, "SELECT uname, username, (extract(epoch FROM first_resolved_at) * 1000000)::bigint AS f, "
                            + "(extract(epoch FROM last_resolved_at) * 1000000)::bigint AS l FROM census.uname_directory ORDER BY uname COLLATE \"C\""));
            assertThat(duck("SELECT status, snapshot_date::VARCHAR, array_to_string(billing_periods, ',') FROM " + glob(out, "runs")))
                    .containsExactly("PUBLISHED|2026-11-20|2026-10,2026-11");

            Map<String, String> types = new HashMap<>();
            for (String row : duck("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM " + glob(out, "users") + ")")) {
                String[] kv = row.split("\\|");
                types.put(kv[0], kv[1]);
            }
            assertThat(types).containsEntry("user_id", "VARCHAR").containsEntry("is_admin", "BOOLEAN").containsEntry("status", "INTEGER")
                    .containsEntry("run_id", "BIGINT").containsEntry("security_groups", "VARCHAR[]").containsEntry("snapshot_date", "DATE");
            assertThat(duck("SELECT column_type FROM (DESCRIBE SELECT * FROM " + glob(out, "unames") + ") WHERE column_name = 'last_resolved_at'"))
                    .containsExactly("TIMESTAMP WITH TIME ZONE");

            // layout: hive partitions, files named by the run that wrote them, a _SUCCESS manifest in each listing them
            List<Path> files = files(out);
            Path users = Path.of("users", "network_id=" + h.network, "snapshot_date=2026-11-20");
            assertThat(files).contains(users.resolve("_SUCCESS"), Path.of("guest_users", "network_id=" + h.network, "billing_period=2026-11", "_SUCCESS"));
            List<String> parts = files.stream().filter(p -> p.startsWith(users) && !p.endsWith("_SUCCESS"))
                    .map(p -> p.getFileName().toString()).toList();
            assertThat(parts).hasSize(1).allMatch(n -> n.matches("part-00000-r1-[0-9a-f]{8}\\.zstd\\.parquet"));
            String manifest = Files.readString(out.resolve(users).resolve("_SUCCESS"));
            assertThat(manifest).contains("\"dataset\" : \"users\"", "\"run_id\" : 1", "\"written_by\" : \"export\"",
                    "\"name\" : \"" + parts.get(0) + "\"", "\"rows\" : " + h.count("SELECT count(*) FROM census.roster_current"),
                    "\"bytes\" : " + Files.size(out.resolve(users).resolve(parts.get(0))));
            assertThat(files).noneMatch(p -> p.startsWith(".staging")).noneMatch(p -> p.toString().endsWith(".crc"));
        }
    }

    /**
     * The users partition is written as the users are staged, and the uname partition once the
     * lookups are done, while the run is still being published (the Parquet head start): they
     * hold what ones written from the published history hold, on a night of changes too.
     */
    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void thePartitionsWrittenBeforeThePublishEqualOnesWrittenFromTheHistory(org.springframework.boot.test.system.CapturedOutput output)
            throws Exception {
        try (JobHarness h = new JobHarness(1500, 50)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            h.emulator.advanceDays(h.network, 1);
            assertThat(h.run("2026-11-21")).isEqualTo(ExitCodes.OK);
            assertThat(output.getAll().lines()).as("both nights used the partitions written ahead")
                    .filteredOn(m -> m.endsWith("; users written as they were staged, unames before the publish)")).hasSize(2);
            assertThat(h.count("SELECT count(*) FROM census.user_version WHERE valid_to IS NOT NULL"))
                    .as("the second night changed users").isPositive();
            Path again = TestFiles.dir("census-parquet-again");
            try {
                long run = h.count("SELECT run_id FROM census.run WHERE as_of = '2026-11-21'");
                new ParquetExporter(new org.springframework.jdbc.datasource.DriverManagerDataSource(h.dbUrl, "postgres", ""),
                        h.parquet.withOutputDir(again)).export(run, h.network, java.time.LocalDate.parse("2026-11-21"),
                        List.of("2026-10", "2026-11"));
                String users = "SELECT * EXCLUDE (network_id) FROM %s WHERE snapshot_date = '2026-11-21' ORDER BY user_id";
                List<String> ahead = duck(users.formatted(glob(h.outputDir, "users")));
                assertThat(ahead).hasSize((int) h.count("SELECT count(*) FROM census.roster_current"));
                assertThat(ahead).isEqualTo(duck(users.formatted(glob(again, "users"))));
                String unames = "SELECT * FROM %s ORDER BY uname";
                List<String> unamesAhead = duck(unames.formatted(glob(h.outputDir, "unames")));
                assertThat(unamesAhead).hasSize((int) h.count("SELECT count(*) FROM census.uname_directory")).isNotEmpty();
                assertThat(unamesAhead).isEqualTo(duck(unames.formatted(glob(again, "unames"))));
            } finally {
                PartitionWriter.deleteTree(again);
            }
        }
    }

    /**
     * The staged rows are read in the snapshot taken when the uname step starts: the publish that
     * may commit before the writer's query clears staging (seen on S3, where the recovery listing
     * comes first), and the partition must still hold every user.
     */
    @Test
    void theUsersWrittenAheadAreReadFromTheSnapshotPinnedBeforePublishClearsStaging() throws Exception {
        try (JobHarness h = new JobHarness(200, 10)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            var ds = new org.springframework.jdbc.datasource.DriverManagerDataSource(h.dbUrl, "postgres", "");
            var jdbc = new org.springframework.jdbc.core.JdbcTemplate(ds);
            jdbc.update("INSERT INTO census.stage_user (run_id, seq, user_id) SELECT 999, g, 'u' || g FROM generate_series(0, 29) g");
            WriteAhead exporter = new WriteAhead(ds, h.parquet);
            WriteAhead.StagedSnapshot staged = exporter.pinStaged();
            jdbc.update("DELETE FROM census.stage_user WHERE run_id = 999"); // what publish does
            try (WriteAhead.Prepared p = exporter.open(999, h.network)) {
                exporter.prepareUsers(p, staged, h.network, java.time.LocalDate.parse("2026-11-21"));
                assertThat(p.usersRows()).isEqualTo(30);
            }
            assertThat(files(h.outputDir)).as("the version given up leaves no file")
                    .noneMatch(f -> f.toString().contains("snapshot_date=2026-11-21"));
        }
    }

    /** A run that is not published leaves nothing of the users partition written ahead for it. */
    @Test
    void aRunThatFailsBeforePublishingLeavesNoPartitionWrittenAhead() throws Exception {
        try (JobHarness h = new JobHarness(800, 20)) {
            h.emulator.faults().usersCountOffset(40); // the counts do not reconcile: the run fails before publish
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.FAILED);
            assertThat(h.count("SELECT count(*) FROM census.published_runs")).isZero();
            assertThat(files(h.outputDir)).as("no partition, no staging left").isEmpty();
        }
    }

    @Test
    void rerunsAndLaterNightsReplacePartitionsAndNeverDuplicateThem() throws Exception {
        try (JobHarness h = new JobHarness(600, 50)) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            List<Path> first = files(h.outputDir);
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.ALREADY_COMPLETE);
            assertThat(files(h.outputDir)).isEqualTo(first);

            h.emulator.advanceDays(h.network, 1);
            assertThat(h.run("2026-11-21")).isEqualTo(ExitCodes.OK);
            assertThat(duck("SELECT snapshot_date::VARCHAR, count(*) FROM " + glob(h.outputDir, "users") + " GROUP BY 1 ORDER BY 1"))
                    .containsExactly("2026-11-20|600", "2026-11-21|" + h.count("SELECT count(*) FROM census.roster_current"));
            // the latest period's guest list is the latest observed one, in one copy
            assertThat(duck("SELECT count(*), count(DISTINCT username_hash) FROM " + glob(h.outputDir, "guest_users")
                    + " WHERE billing_period = '2026-11'")).containsExactly(
                    h.count("SELECT guests FROM census.guest_counts WHERE billing_period = '2026-11' AND snapshot_date = '2026-11-21'")
                            + "|" + h.count("SELECT guests FROM census.guest_counts WHERE billing_period = '2026-11' AND snapshot_date = '2026-11-21'"));
            assertThat(duck("SELECT count(*) FROM " + glob(h.outputDir, "runs"))).containsExactly("2");
        }
    }

    @Test
    void smallFilesSplitAPartitionAndReadersStillSeeEveryRow() throws Exception {
        try (JobHarness h = new JobHarness(30_000, 10)) {
            h.parquet = new io.wickrcensus.parquet.ParquetSettings(true, new FileRoot.Directory(h.outputDir),
                    org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY, 1L << 20, 1L << 20);
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            Path part = h.outputDir.resolve("users").resolve("network_id=" + h.network).resolve("snapshot_date=2026-11-20");
            List<Long> sizes;
            try (Stream<Path> s = Files.list(part)) {
                sizes = s.filter(p -> p.toString().endsWith(".snappy.parquet")).map(p -> p.toFile().length()).toList();
            }
            assertThat(sizes).hasSizeGreaterThan(1).as("each file ends at the bound, give or take a few rows and the footer")
                    .allMatch(n -> n <= (1L << 20) + (64L << 10));
            assertThat(duck("SELECT count(*), count(DISTINCT user_id) FROM " + glob(h.outputDir, "users"))).containsExactly("30000|30000");
        }
    }

    @Test
    void aCrashWhileWritingIsRepairedByTheRelaunch() throws Exception {
        try (JobHarness h = new JobHarness(1500, 100)) {
            String db = TestDatabases.newDatabase("parquetcrash");
            Path log = TestFiles.log("census-parquet");
            assertThat(JobHarness.await(h.launchChild(db, "2026-11-20", "parquet.before-swap:2", log))).isEqualTo(137);
            Path out = h.outputDir.resolve(Integer.toHexString(db.hashCode()));
            assertThat(files(out)).anyMatch(p -> p.startsWith(".staging"));
            int relaunched = JobHarness.await(h.launchChild(db, "2026-11-20", null, log));
            String output = Files.readString(log);
            assertThat(relaunched).as(output).isEqualTo(ExitCodes.OK);
            assertThat(output).doesNotContainIgnoringCase("hadoop_home").doesNotContain("NativeCodeLoader").doesNotContain("winutils");
            assertThat(files(out)).noneMatch(p -> p.startsWith(".staging"));
            assertThat(duck("SELECT count(*), count(DISTINCT user_id) FROM " + glob(out, "users"))).containsExactly("1500|1500");
            assertThat(duck("SELECT billing_period, count(*) FROM " + glob(out, "guest_users") + " GROUP BY 1 ORDER BY 1"))
                    .containsExactly("2026-10|100", "2026-11|100");
            assertThat(new TreeSet<>(files(out).stream().map(p -> p.getName(0).toString()).toList()))
                    .containsExactly("guest_users", "iceberg", "runs", "unames", "users"); // the Iceberg warehouse beside the datasets
        }
    }

    /**
     * The users and the uname directory are written side by side: when the users' write fails, the
     * export fails with it, the uname write's thread is gone before its connection closes, and the
     * relaunch's recovery leaves no staging behind.
     */
    @Test
    void aFailedUsersWriteEndsTheUnameWriteBesideItAndLeavesNoStaging() throws Exception {
        try (JobHarness h = new JobHarness(3000, 50)) {
            h.parquet = h.parquet.withEnabled(false);
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            Path out = TestFiles.dir("parquet-failed-users");
            Files.createDirectories(out.resolve("users"));
            Files.writeString(out.resolve("users/network_id=" + h.network), "a file where the users' partitions go");
            try (io.wickrcensus.db.DatabaseLocation db = io.wickrcensus.db.DatabaseLocation.resolve(JobHarness.database(h.dbUrl))) {
                ParquetExporter exporter = new ParquetExporter(db.dataSource(), h.parquet.withEnabled(true).withOutputDir(out));
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> exporter.export(1, h.network,
                        java.time.LocalDate.parse("2026-11-20"), List.of("2026-10", "2026-11"))).isInstanceOf(java.io.IOException.class);
            }
            // its pool has terminated once the export fails; the thread itself may take a moment more to exit
            assertThat(io.wickrcensus.testing.Await.until(java.time.Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet()
                    .stream().noneMatch(t -> t.getName().startsWith("parquet-unames-")))).as("the uname write's thread is gone").isTrue();
            assertThat(files(out)).noneMatch(p -> p.startsWith(".staging"));
        }
    }
}
