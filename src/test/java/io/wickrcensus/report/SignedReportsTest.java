package io.wickrcensus.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.CensusRetract;
import io.wickrcensus.job.CensusRun;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.testing.Chromium;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import io.wickrcensus.testing.TestFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The reports finance signs and auditors read, as {@code run --reports-dir} and
 * {@code retract --reports-dir} write them. The emulator serves 2026-08 to 2026-10; each night
 * covers 2026-09 and 2026-10, so 2026-09 is final from the 10-04 snapshot on (3 grace days) and
 * 2026-08, the period before it, is never captured.
 */
class SignedReportsTest {

    private static final YearMonth AUG = YearMonth.of(2026, 8);
    private static final YearMonth SEP = YearMonth.of(2026, 9);
    private static final YearMonth OCT = YearMonth.of(2026, 10);
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(JobHarness.ACCESS_KEY, JobHarness.SECRET));

    private static JobHarness harness(int users, boolean listsBots) throws Exception {
        return new JobHarness(users, 60, TestDatabases.newDatabase("signed"), List.of(AUG, SEP, OCT),
                b -> b.listUsersIncludesBots(listsBots));
    }

    private static RunSettings night(JobHarness h, String asOf) {
        return h.builder(asOf).billingPeriodMonths(List.of(SEP, OCT)).build();
    }

    private static void run(JobHarness h, ReportsDirectory reports, String asOf) {
        assertThat(CensusRun.execute(night(h, asOf), CREDENTIALS, reports)).isEqualTo(ExitCodes.OK);
        h.emulator.advanceDays(h.network, 1);
    }

    private static int retract(JobHarness h, ReportsDirectory reports, String asOf, String reason) {
        RunSettings s = night(h, asOf);
        return CensusRetract.execute(s.database(), s.roles(), s.parquet(), h.network, java.time.LocalDate.parse(asOf), reason, "auditor-1",
                reports);
    }

    private static String sha256(Path f) throws Exception {
        return ReportWriter.sha256(Files.readString(f, StandardCharsets.UTF_8));
    }

    @Test
    void aFinalPeriodsSignedCsvKeepsItsHashThroughALaterRetraction() throws Exception {
        Path dir = TestFiles.dir("signed-reports");
        try (JobHarness h = harness(300, true); ReportsDirectory reports = new ReportsDirectory(dir, 3)) {
            Path sep = dir.resolve(h.network).resolve("guest-billing-2026-09.csv");
            run(h, reports, "2026-10-05");
            String signed = sha256(sep);
            assertThat(Files.readString(sep)).contains(",2026-09,final,2026-10-05,");
            run(h, reports, "2026-10-06");
            run(h, reports, "2026-10-07");
            assertThat(retract(h, reports, "2026-10-07", "run with the wrong --as-of")).isEqualTo(ExitCodes.OK);
            run(h, reports, "2026-10-08");

            assertThat(sha256(sep)).as("September's signed CSV").isEqualTo(signed);
            try (Stream<Path> files = Files.list(dir.resolve(h.network))) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.contains("restated"));
            }
            String octCsv = Files.readString(dir.resolve(h.network).resolve("guest-billing-2026-10.csv"));
            assertThat(octCsv).contains(",2026-10,provisional,2026-10-08,").doesNotContain("retract");
            // the retraction is in the JSON, the page, the network's retractions and the index
            String page = Files.readString(dir.resolve(h.network).resolve("guest-billing-2026-10.html"));
            assertThat(page).contains("Retracted snapshots (they count for nothing)", "2026-10-07", "run with the wrong --as-of");
            assertThat(Files.readString(dir.resolve(h.network).resolve("guest-billing-2026-10.json"))).contains("\"retracted\"", "2026-10-07");
            assertThat(Files.readAllLines(dir.resolve(h.network).resolve("retractions.csv"))).hasSize(2).last().asString()
                    .startsWith(h.network + ",2026-10-07,2026-09 2026-10,").endsWith(",auditor-1,run with the wrong --as-of");
            screenshots("retracted", dir.resolve("index.html"), dir.resolve(h.network).resolve("audit-2026-10-08.html"),
                    dir.resolve(h.network).resolve("retractions.html"));
            String index = Files.readString(dir.resolve("index.html"));
            assertThat(index).contains(h.network + "/retractions.html");
            String audit07 = index.lines().filter(l -> l.contains("audit-2026-10-07.html")).findFirst().orElseThrow();
            assertThat(audit07).contains("snapshot retracted on", "run with the wrong --as-of", "retractions.html");
            assertThat(index.lines().filter(l -> l.contains("audit-2026-10-08.html")).findFirst().orElseThrow()).doesNotContain("retracted");
            // the next night's audit says a snapshot in its window was retracted
            assertThat(Files.readString(dir.resolve(h.network).resolve("audit-2026-10-08.html")))
                    .contains("A snapshot in this window was retracted: the snapshot of 2026-10-07");
        }
    }

    @Test
    void aRetractionOfTheDecidingSnapshotIsARestatementThatKeepsTheSignedFile() throws Exception {
        Path dir = TestFiles.dir("restated-reports");
        try (JobHarness h = harness(300, true); ReportsDirectory reports = new ReportsDirectory(dir, 3)) {
            Path net = dir.resolve(h.network);
            run(h, reports, "2026-10-05");
            String signedBytes = Files.readString(net.resolve("guest-billing-2026-09.csv"));
            String signed = ReportWriter.sha256(signedBytes);

            assertThat(retract(h, reports, "2026-10-05", "taken against the staging network")).isEqualTo(ExitCodes.OK);
            assertThat(Files.readString(net.resolve("guest-billing-2026-09.csv"))).isEqualTo(signedBytes);
            assertThat(Files.readString(net.resolve("guest-billing-2026-09.html"))).contains("No published snapshot covers this period now",
                    "the snapshot of 2026-10-05, which decided those figures, was retracted on", "taken against the staging network",
                    signed);
            screenshots("withdrawn", net.resolve("guest-billing-2026-09.html"));

            run(h, reports, "2026-10-06");
            assertThat(Files.readString(net.resolve("guest-billing-2026-09.csv"))).as("the signed file, untouched").isEqualTo(signedBytes);
            Path restated = net.resolve("guest-billing-2026-09-restated-1.csv");
            assertThat(Files.readString(restated)).contains(",2026-09,final,2026-10-06,");
            String page = Files.readString(net.resolve("guest-billing-2026-09.html"));
            assertThat(page).contains("Restated.", "guest-billing-2026-09-restated-1.csv", signed, sha256(restated),
                    "Why: the snapshot of 2026-10-05, which decided those figures, was retracted on", "taken against the staging network");
            assertThat(page.indexOf("Restated.")).as("near the top").isLessThan(page.indexOf("<h2>"));
            String json = Files.readString(net.resolve("guest-billing-2026-09.json"));
            assertThat(json).contains("\"csvFile\" : \"guest-billing-2026-09-restated-1.csv\"", "\"restates\"", signed);
            assertThat(Files.readString(dir.resolve("index.html"))).contains("guest-billing-2026-09-restated-1.csv", "signed CSV");
            screenshots("restated", net.resolve("guest-billing-2026-09.html"), dir.resolve("index.html"));

            // a relaunch of the same night restates nothing more
            assertThat(CensusRun.execute(night(h, "2026-10-06"), CREDENTIALS, reports)).isIn(ExitCodes.OK, ExitCodes.ALREADY_COMPLETE);
            assertThat(net.resolve("guest-billing-2026-09-restated-2.csv")).doesNotExist();
            assertThat(Files.readString(net.resolve("guest-billing-2026-09.csv"))).isEqualTo(signedBytes);
        }
    }

    @Test
    void pagesThatCanBeSigned() throws Exception {
        Path dir = TestFiles.dir("signable-reports");
        try (JobHarness h = harness(1100, true); ReportsDirectory reports = new ReportsDirectory(dir, 3)) {
            Path net = dir.resolve(h.network);
            run(h, reports, "2026-10-05");

            // September's previous period was never captured: no guest is "new"
            String sepCsv = Files.readString(net.resolve("guest-billing-2026-09.csv"));
            assertThat(sepCsv.lines().filter(l -> l.startsWith("summary,")).findFirst().orElseThrow())
                    .matches("summary,\\w+,2026-09,final,2026-10-05,\\d+,\\d*,,,,0,,,");
            assertThat(sepCsv.lines().filter(l -> l.startsWith("guest,"))).allSatisfy(l -> assertThat(l).endsWith(","));
            String sep = Files.readString(net.resolve("guest-billing-2026-09.html"));
            assertThat(sep).contains("n/a (previous period not captured)");
            String oct = Files.readString(net.resolve("guest-billing-2026-10.html"));
            assertThat(oct).doesNotContain("n/a (previous period not captured)");
            assertThat(Files.readString(net.resolve("guest-billing-2026-10.csv")).lines().filter(l -> l.startsWith("guest,")))
                    .anySatisfy(l -> assertThat(l).endsWith(",new")).anySatisfy(l -> assertThat(l).endsWith(",returning"));

            // the headline figure first, then the hash of the CSV and what it covers, all above the first table
            GuestBillingReport.Network n;
            try (var c = TestDatabases.connect(h.dbUrl)) {
                n = GuestBillingReport.load(c, SEP, h.network, 3).networks().get(0);
            }
            assertThat(sep).contains("<span class=\"figure\">" + String.format(java.util.Locale.ROOT, "%,d", n.guests()) + "</span>",
                    "distinct billable guest users of network " + h.network + " in 2026-09, final");
            int headline = sep.indexOf("class=\"headline\"");
            int hash = sep.indexOf("SHA-256 of <a href=\"guest-billing-2026-09.csv\">guest-billing-2026-09.csv</a>: <code>"
                    + sha256(net.resolve("guest-billing-2026-09.csv")) + "</code>");
            assertThat(headline).isPositive().isLessThan(hash);
            assertThat(hash).isLessThan(sep.indexOf("<table"));
            assertThat(sep).contains("It covers every figure and row of the CSV");

            // the first audit lists everyone joining: more rows than the page shows, said above the table with a link
            String audit = Files.readString(net.resolve("audit-2026-10-05.html"));
            int cut = audit.indexOf("All of them are in <a href=\"audit-2026-10-05.csv\">");
            assertThat(cut).isPositive().isLessThan(audit.indexOf("<table class=\"changes\">"));
            assertThat(audit.indexOf("The list of changes below shows the first 1,000 of")).isPositive().isLessThan(audit.indexOf("<h2>"));
            long bots = h.count("SELECT count(*) FROM census.roster_current WHERE NOT is_user");
            assertThat(bots).isPositive();
            assertThat(audit).contains("The roster counts include the network&#39;s bots (" + bots + ", shown on their own line; "
                    + "GetBotsCount reported " + bots + ")", "<tr><td>Bots</td><td>" + bots + "</td>", "<tr><td>Users (bots included)</td>");
            assertThat(Files.readString(net.resolve("audit-2026-10-05.csv"))).contains("summary," + h.network + ",2026-10-05,,bots,,,,," + bots);

            screenshots("signable", net.resolve("guest-billing-2026-09.html"), net.resolve("guest-billing-2026-10.html"),
                    net.resolve("audit-2026-10-05.html"), dir.resolve("index.html"));
        }
        try (JobHarness h = harness(300, false); ReportsDirectory reports = new ReportsDirectory(TestFiles.dir("unlisted-bots"), 3)) {
            assertThat(CensusRun.execute(night(h, "2026-10-05"), CREDENTIALS, reports)).isEqualTo(ExitCodes.OK);
            try (var c = TestDatabases.connect(h.dbUrl)) {
                AuditReport r = AuditReport.load(c, h.network, java.time.LocalDate.parse("2026-10-05"), null);
                assertThat(r.bots().unlisted()).isTrue();
                StringBuilderWriter w = new StringBuilderWriter();
                ReportWriter.write(r, ReportFormat.HTML, w);
                assertThat(w.toString()).contains("The roster counts hold no bots: ListUsers listed none, and the service counts");
            }
        }
    }

    /** The pages at 1280 px in Chromium, kept in target/report-artifacts/signed: where Chromium is installed (.ci/run installs it). */
    private static void screenshots(String name, Path... pages) throws Exception {
        Chromium chromium;
        try {
            chromium = Chromium.find();
        } catch (org.opentest4j.TestAbortedException e) {
            return;
        }
        Path artifacts = Path.of("target", "report-artifacts", "signed").toAbsolutePath();
        Files.createDirectories(artifacts);
        for (Path page : pages) {
            Path png = artifacts.resolve(name + "-" + page.getFileName().toString().replace(".html", ".png"));
            chromium.screenshot(page, png);
            assertThat(javax.imageio.ImageIO.read(png.toFile()).getWidth()).isEqualTo(1280);
        }
    }

    /** A Writer over a StringBuilder. */
    private static final class StringBuilderWriter extends java.io.StringWriter {
    }
}
