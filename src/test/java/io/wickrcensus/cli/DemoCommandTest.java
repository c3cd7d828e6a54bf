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
        // three nights across a month's end (the last month's final day, the 1st, the 2nd): the
        // first two nights of a month must not cover the new month's period before its night
        java.time.LocalDate today = java.time.YearMonth.now(java.time.ZoneOffset.UTC).minusMonths(1).atDay(2);
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertThat(Main.execute("demo", "--dir", demo.toString(), "--users", "800", "--guests", "40", "--as-of", today.toString()))
                    .isEqualTo(ExitCodes.OK);
        } finally {
            System.setOut(stdout);
        }
        // the commands the demo prints after it work as printed, on its own network and dates
        List<String> reportCommands = printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains(" report ")).map(String::strip).toList();
        assertThat(reportCommands).hasSize(2).allMatch(l -> l.startsWith("java -jar ") && l.contains("--data-dir " + demo.resolve("postgres")));
        for (String command : reportCommands) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")).subList(3, command.split(" ").length));
            int out = args.indexOf("--out");
            if (out >= 0) {
                args.set(out + 1, dir.resolve(args.get(out + 1)).toString());
            }
            assertThat(Main.execute(args.toArray(String[]::new))).as(command).isEqualTo(ExitCodes.OK);
        }
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("census.roster_as_of('")
                .contains("', '" + today + "') WHERE is_admin");
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
        // each night's reports, as run --reports-dir writes them, and their index, newest first
        String index = Files.readString(reports.resolve("index.html"));
        try (var dirs = Files.list(reports)) {
            String network = dirs.filter(Files::isDirectory).findFirst().orElseThrow().getFileName().toString();
            for (String night : nights) {
                assertThat(reports.resolve(network).resolve("audit-" + night + ".csv")).isNotEmptyFile();
                assertThat(index).contains("href=\"" + network + "/audit-" + night + ".html\"");
            }
            assertThat(reports.resolve(network).resolve("guest-billing-" + month.minusMonths(11) + ".json")).as("the backfill night")
                    .isNotEmptyFile();
            assertThat(index.indexOf("audit-" + nights.get(2))).as("newest first").isLessThan(index.indexOf("audit-" + nights.get(0)));
            String csv = Files.readString(reports.resolve(network).resolve("guest-billing-" + month.minusMonths(1) + ".csv"));
            // a second demo finds every night already snapshotted, and writes the reports again: the CSVs byte for byte
            assertThat(Main.execute("demo", "--dir", demo.toString(), "--users", "800", "--guests", "40", "--as-of", today.toString()))
                    .isEqualTo(ExitCodes.OK);
            assertThat(Files.readString(reports.resolve(network).resolve("guest-billing-" + month.minusMonths(1) + ".csv")))
                    .isEqualTo(csv);
        }

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
