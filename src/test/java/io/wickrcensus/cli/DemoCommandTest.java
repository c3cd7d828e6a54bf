package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo runs to the end from a clean directory, and again on top of itself. */
class DemoCommandTest {

    @Test
    void theDemoSnapshotsThreeNightsFromACleanDirectory(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("census-demo");
        assertThat(Main.execute("demo", "--dir", demo.toString(), "--users", "800", "--guests", "40")).isEqualTo(ExitCodes.OK);
        List<String> nights = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); ResultSet rs = c.createStatement().executeQuery(
                "SELECT snapshot_date::VARCHAR, count(*) FROM read_parquet('" + demo.resolve("parquet")
                        + "/users/**/*.parquet', hive_partitioning=true) GROUP BY 1 ORDER BY 1")) {
            while (rs.next()) {
                nights.add(rs.getString(1));
                assertThat(rs.getLong(2)).isBetween(750L, 850L);
            }
        }
        assertThat(nights).hasSize(3);
        assertThat(Files.exists(demo.resolve("postgres").resolve("PG_VERSION"))).isTrue();
        java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
        java.time.YearMonth month = java.time.YearMonth.from(today);
        Path reports = demo.resolve("reports");
        for (String ext : List.of("csv", "json", "html")) {
            assertThat(reports.resolve("guest-billing-" + month + "." + ext)).isNotEmptyFile();
            assertThat(reports.resolve("guest-billing-" + month.minusMonths(1) + "." + ext)).isNotEmptyFile();
        }
        try (var files = Files.list(reports)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("audit-") && f.contains("-" + today + ".")))
                    .hasSize(3);
        }
        // the current month cannot be final yet; the first night captured a year of periods for the chart
        assertThat(Files.readString(reports.resolve("guest-billing-" + month + ".csv"))).contains("," + month + ",provisional,");
        assertThat(Files.readString(reports.resolve("guest-billing-" + month + ".html"))).contains("data-period=\"" + month.minusMonths(11) + "\"");
        // a second demo finds every night already snapshotted
        assertThat(Main.execute("demo", "--dir", demo.toString(), "--users", "800", "--guests", "40")).isEqualTo(ExitCodes.OK);

        // after the demo, `db` starts its database again for psql, as the demo says
        Process db = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "db", "--data-dir", demo.resolve("postgres").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(db.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).contains(" is up: postgresql://postgres@localhost:");
            String port = line.replaceAll(".*localhost:(\\d+)/.*", "$1");
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + port + "/postgres", "postgres", "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM census.published_runs")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(3);
            }
            db.getOutputStream().write('\n');
            db.getOutputStream().flush();
            assertThat(db.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(db.exitValue()).isZero();
        } finally {
            db.destroyForcibly();
        }
    }
}
