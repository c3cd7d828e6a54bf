package io.wickrcensus.report;

import io.wickrcensus.testing.TestFiles;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.testing.JobHarness;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.Json;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.report.AuditReport;
import io.wickrcensus.report.GuestBillingReport;
import io.wickrcensus.report.ReportFormat;
import io.wickrcensus.report.ReportWriter;
import io.wickrcensus.testing.Chromium;
import io.wickrcensus.testing.TestDatabases;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The guest-billing and audit reports against snapshots the job took from the emulator: their
 * figures equal direct SQL over the views, and a final period's report never changes.
 *
 * <p>The emulator serves the twelve periods 2025-11 to 2026-10; 2026-10 is the latest, which gains
 * guests every day. Runs on 11-01 (2026-10 provisional), 11-04 (2026-10 final with 3 grace days)
 * and 11-05 (which sees more 2026-10 guests than the run that made the period final).
 */
class ReportTest {

    static final List<YearMonth> YEAR = year();
    static final YearMonth OCT = YearMonth.of(2026, 10);
    static final YearMonth SEP = YearMonth.of(2026, 9);

    static JobHarness h;
    static String provisionalCsv;
    static String finalCsvOnTheDay;
    static String finalCsvLater;

    static List<YearMonth> year() {
        List<YearMonth> y = new ArrayList<>();
        for (YearMonth p = YearMonth.of(2025, 11); !p.isAfter(YearMonth.of(2026, 10)); p = p.plusMonths(1)) {
            y.add(p);
        }
        return y;
    }

    @BeforeAll
    static void threeNights() throws Exception {
        h = new JobHarness(400, 120, TestDatabases.newDatabase("report"), YEAR);
        ReinviteSettings dryRun = new ReinviteSettings(ReinviteSettings.Mode.DRY_RUN, null, 1000, Duration.ofDays(7));
        assertThat(h.run(h.settings("2026-11-01", dryRun), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
        provisionalCsv = guestBillingCsv(OCT, 3);
        h.emulator.advanceDays(h.network, 1);
        assertThat(h.run(h.settings("2026-11-04", dryRun), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
        finalCsvOnTheDay = guestBillingCsv(OCT, 3);
        h.emulator.advanceDays(h.network, 1);
        assertThat(h.run(h.settings("2026-11-05", dryRun), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
        finalCsvLater = guestBillingCsv(OCT, 3);
    }

    @AfterAll
    static void close() {
        h.close();
    }

    static GuestBillingReport guestBilling(YearMonth period, int grace) throws Exception {
        try (Connection c = TestDatabases.connect(h.dbUrl)) {
            return GuestBillingReport.load(c, period, null, grace);
        }
    }

    static String guestBillingCsv(YearMonth period, int grace) throws Exception {
        StringWriter w = new StringWriter();
        ReportWriter.write(guestBilling(period, grace), ReportFormat.CSV, w);
        return w.toString();
    }

    static AuditReport audit(String asOf, String since) throws Exception {
        try (Connection c = TestDatabases.connect(h.dbUrl)) {
            return AuditReport.load(c, h.network, LocalDate.parse(asOf), since == null ? null : LocalDate.parse(since));
        }
    }

    @Test
    void aFinalPeriodGivesByteIdenticalCsvAfterLaterRunsSawMoreGuests() throws Exception {
        assertThat(finalCsvLater).isEqualTo(finalCsvOnTheDay);
        assertThat(finalCsvOnTheDay).contains(",2026-10,final,2026-11-04,");
        long onTheDay = h.count("SELECT guests FROM census.guest_counts WHERE billing_period = '2026-10' AND snapshot_date = '2026-11-04'");
        long later = h.count("SELECT guests FROM census.guest_counts WHERE billing_period = '2026-10' AND snapshot_date = '2026-11-05'");
        assertThat(later).as("the 11-05 run saw new guests of 2026-10").isGreaterThan(onTheDay);
        assertThat(finalCsvLater.lines().filter(l -> l.startsWith("guest,")).count()).as("the billable guests: the headline")
                .isEqualTo(onTheDay);
        assertThat(finalCsvLater.lines().filter(l -> l.startsWith("departed_guest,")).count())
                .isEqualTo(guestBilling(OCT, 3).networks().get(0).goneGuests());
        assertThat(finalCsvLater).endsWith("\r\n");
    }

    @Test
    void aProvisionalPeriodFollowsTheLatestRun() throws Exception {
        assertThat(provisionalCsv).contains(",2026-10,provisional,2026-11-01,");
        // with ten grace days no run has made 2026-10 final yet: the latest run decides
        GuestBillingReport.Network n = guestBilling(OCT, 10).networks().get(0);
        assertThat(n.status()).isEqualTo(GuestBillingReport.PROVISIONAL);
        assertThat(n.snapshotDate()).isEqualTo(LocalDate.parse("2026-11-05"));
        assertThat(n.guests()).isEqualTo(h.count(
                "SELECT guests FROM census.guest_counts WHERE billing_period = '2026-10' AND snapshot_date = '2026-11-05'"));
    }

    @Test
    void guestBillingFiguresEqualSqlOverTheViews() throws Exception {
        for (YearMonth period : List.of(OCT, SEP)) {
            GuestBillingReport r = guestBilling(period, 3);
            assertThat(r.networks()).hasSize(1);
            GuestBillingReport.Network n = r.networks().get(0);
            assertThat(n.status()).isEqualTo(GuestBillingReport.FINAL);
            // the deciding run: the first on or after the period's end plus the grace days
            long decidingRun = h.count("SELECT run_id FROM census.guest_counts WHERE network_id = ? AND billing_period = ? "
                    + "AND snapshot_date >= ? ORDER BY snapshot_date LIMIT 1", h.network, period.toString(),
                    period.atEndOfMonth().plusDays(4));
            assertThat(n.runId()).isEqualTo(decidingRun);
            assertThat(n.guests()).isEqualTo(h.count("SELECT count(DISTINCT username_hash) FROM census.guests_by_run "
                    + "WHERE run_id = ? AND billing_period = ?", decidingRun, period.toString()))
                    .isEqualTo(h.count("SELECT guests FROM census.guest_counts WHERE run_id = ? AND billing_period = ?",
                            decidingRun, period.toString()))
                    .isPositive();
            String prev = period.minusMonths(1).toString();
            String cur = "SELECT username_hash FROM census.guests_by_run WHERE run_id = " + decidingRun + " AND billing_period = '";
            assertThat(n.newGuests()).isEqualTo(h.count("SELECT count(*) FROM (" + cur + period + "' EXCEPT " + cur + prev + "') x"));
            assertThat(n.returningGuests()).isEqualTo(h.count("SELECT count(*) FROM (" + cur + period + "' INTERSECT " + cur + prev + "') x"))
                    .isPositive();
            assertThat(n.goneGuests()).isEqualTo(h.count("SELECT count(*) FROM (" + cur + prev + "' EXCEPT " + cur + period + "') x"))
                    .isPositive();
            assertThat(n.previousGuests()).isEqualTo(n.returningGuests() + n.goneGuests());
            assertThat(n.guestList()).as("the table lists the headline's guests").hasSize((int) n.guests())
                    .allSatisfy(g -> assertThat(g.change()).isIn("new", "returning"))
                    .isSortedAccordingTo(GuestBillingReport.BY_USERNAME);
            assertThat(n.departed()).hasSize((int) n.goneGuests()).allSatisfy(g -> assertThat(g.change()).isEqualTo("gone"));
            assertThat(n.guestsReported()).isEqualTo(n.guests());
            assertThat(n.history()).hasSize(12);
            assertThat(n.history().get(11).guests()).isEqualTo(n.guests());
        }
    }

    @Test
    void jsonHoldsTheSameFigures() throws Exception {
        GuestBillingReport r = guestBilling(OCT, 3);
        StringWriter w = new StringWriter();
        ReportWriter.write(r, ReportFormat.JSON, w);
        JsonNode net = Json.MAPPER.readTree(w.toString()).get("networks").get(0);
        GuestBillingReport.Network n = r.networks().get(0);
        assertThat(net.get("guests").asLong()).isEqualTo(n.guests());
        assertThat(net.get("status").asString()).isEqualTo("final");
        assertThat(net.get("snapshotDate").asString()).isEqualTo("2026-11-04");
        assertThat(net.get("guestList").size()).isEqualTo(n.guestList().size());
    }

    @Test
    void jsonAndHtmlSayWhereTheirFiguresComeFromAndHashTheCsv() throws Exception {
        GuestBillingReport r = guestBilling(OCT, 3);
        StringWriter json = new StringWriter();
        ReportWriter.write(r, ReportFormat.JSON, json);
        JsonNode p = Json.MAPPER.readTree(json.toString()).get("provenance");
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        String csvHash = java.util.HexFormat.of().formatHex(sha.digest(finalCsvLater.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(p.get("csvSha256").asString()).as("the hash of the final period's CSV, the same night after night").isEqualTo(csvHash);
        assertThat(p.get("networkIds").get(0).asString()).isEqualTo(h.network);
        assertThat(p.get("decidingRuns").get(0).get("snapshotDate").asString()).isEqualTo("2026-11-04");
        assertThat(p.get("decidingRuns").get(0).get("runId").asLong()).isEqualTo(r.networks().get(0).runId());
        assertThat(java.time.Instant.parse(p.get("generatedAt").asString())).isCloseTo(java.time.Instant.now(),
                org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
        assertThat(p.get("version").asString()).isNotBlank();
        StringWriter html = new StringWriter();
        ReportWriter.write(r, ReportFormat.HTML, html);
        assertThat(html.toString()).contains("<h2>Provenance</h2>", csvHash, "run " + r.networks().get(0).runId() + ", snapshot of 2026-11-04");
        StringWriter audit = new StringWriter();
        ReportWriter.write(audit("2026-11-05", "2026-11-01"), ReportFormat.JSON, audit);
        assertThat(Json.MAPPER.readTree(audit.toString()).get("provenance").get("decidingRuns").get(0).get("snapshotDate").asString())
                .isEqualTo("2026-11-05");
    }

    @Test
    void auditFiguresEqualSqlOverTheViews() throws Exception {
        AuditReport r = audit("2026-11-05", "2026-11-01");
        assertThat(r.snapshotDate()).isEqualTo(LocalDate.parse("2026-11-05"));
        assertThat(r.sinceSnapshotDate()).isEqualTo(LocalDate.parse("2026-11-01"));
        String roster = "SELECT count(*) FROM census.roster_as_of('" + h.network + "', '2026-11-05') WHERE ";
        assertThat(r.summary().users()).isEqualTo(h.count(roster + "true")).isEqualTo(h.servedUsers().size());
        assertThat(r.summary().active()).isEqualTo(h.count(roster + "status = 2")).isPositive();
        assertThat(r.summary().pending()).isEqualTo(h.count(roster + "status = 1")).isPositive();
        assertThat(r.summary().suspended()).isEqualTo(h.count(roster + "suspended"));
        assertThat(r.summary().admins()).isEqualTo(h.count(roster + "is_admin")).isPositive();
        assertThat(r.summary().otpOff()).isEqualTo(h.count(roster + "NOT otp_enabled"));
        assertThat(r.summary().expiredInvitations()).isEqualTo(h.count(roster + "status = 1 AND is_invite_expired")).isPositive();
        for (Map.Entry<String, Long> e : r.changeCounts().entrySet()) {
            assertThat(e.getValue()).as(e.getKey()).isEqualTo(h.count("SELECT count(*) FROM census.user_events(?, '2026-11-01', "
                    + "'2026-11-05') WHERE kind = ?", h.network, e.getKey()));
        }
        assertThat(r.changeCounts().get("joined")).isPositive();
        assertThat(r.changes()).hasSize((int) r.changeCounts().values().stream().mapToLong(Long::longValue).sum());
        assertThat(r.unresolvedUnames()).hasSize((int) h.count("SELECT count(*) FROM census.unresolved_unames WHERE network_id = ?",
                h.network)).isNotEmpty();
        // re-invitations after the since snapshot, up to the as-of one: the dry runs of 11-04 and 11-05
        // one row per user, not per night
        assertThat(r.reinvitations()).hasSize((int) h.count("SELECT count(DISTINCT user_id) FROM census.reinvitations WHERE network_id = ? "
                + "AND snapshot_date > '2026-11-01' AND snapshot_date <= '2026-11-05'", h.network)).isNotEmpty();
        assertThat(r.reinvitationCounts().get("DRY_RUN")).isEqualTo(r.reinvitations().size());
        assertThat(r.reinvitations()).allSatisfy(x -> {
            assertThat(x.dryRun()).isTrue();
            assertThat(x.sent()).isZero();
        }).anySatisfy(x -> assertThat(x.dates()).isEqualTo("2026-11-04 2026-11-05"));
        assertThat(r.sinceSummary().users()).isEqualTo(h.count("SELECT count(*) FROM census.roster_as_of(?, '2026-11-01')", h.network));
    }

    @Test
    void anAuditWithoutSinceComparesWithTheSnapshotBeforeAndTheFirstWithNothing() throws Exception {
        AuditReport r = audit("2026-11-04", null);
        assertThat(r.sinceSnapshotDate()).isEqualTo(LocalDate.parse("2026-11-01"));
        AuditReport first = audit("2026-11-03", null);
        assertThat(first.snapshotDate()).isEqualTo(LocalDate.parse("2026-11-01"));
        assertThat(first.sinceSnapshotDate()).isNull();
        assertThat(first.changeCounts().get("joined")).isEqualTo(first.summary().users());
        assertThat(first.changes()).allSatisfy(c -> assertThat(c.change()).isEqualTo("joined"));
    }

    @Test
    void theCommandLineWritesTheReportsAndGivesEachScenarioItsExitCode() throws Exception {
        Path dir = TestFiles.dir("census-report");
        try {
            Path csv = dir.resolve("oct.csv");
            assertThat(report(dir, "guest-billing", "--period", "2026-10", "--out", csv.toString())).isEqualTo(ExitCodes.OK);
            assertThat(Files.readString(csv)).isEqualTo(finalCsvLater);
            Path json = dir.resolve("oct.json");
            assertThat(report(dir, "guest-billing", "--period", "2026-10", "--format", "json", "--out", json.toString()))
                    .isEqualTo(ExitCodes.OK);
            assertThat(Json.MAPPER.readTree(Files.readString(json)).get("networks").get(0).get("guests").asLong())
                    .isEqualTo(guestBilling(OCT, 3).networks().get(0).guests());
            Path html = dir.resolve("audit.html");
            assertThat(report(dir, "audit", "--network-id", h.network, "--as-of", "2026-11-05", "--format", "html",
                    "--out", html.toString())).isEqualTo(ExitCodes.OK);
            assertThat(Files.readString(html)).contains("<h1>Audit of network " + h.network + "</h1>");
            assertThat(report(dir, "guest-billing", "--period", "2026-12")).as("a period no run covered").isEqualTo(ExitCodes.NO_DATA);
            assertThat(report(dir, "guest-billing", "--period", "2026-10", "--network-id", "99999999"))
                    .as("an unknown network").isEqualTo(ExitCodes.NO_DATA);
            assertThat(report(dir, "audit", "--network-id", h.network, "--as-of", "2026-10-01"))
                    .as("before the first snapshot").isEqualTo(ExitCodes.NO_DATA);
            assertThat(report(dir, "guest-billing", "--period", "2026-13")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(report(dir, "guest-billing", "--period", "2026-10", "--format", "xml")).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(report(dir, "audit", "--network-id", h.network, "--as-of", "2026-11-01", "--since", "2026-11-05"))
                    .isEqualTo(ExitCodes.BAD_CONFIGURATION);
            // an --out that cannot be written: a configuration mistake, named, before anything is read
            Files.writeString(dir.resolve("a-file"), "");
            assertThat(report(dir, "guest-billing", "--period", "2026-10", "--out", dir.resolve("a-file/oct.csv").toString()))
                    .isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(report(dir, "guest-billing", "--period", "2026-10", "--out", dir.toString())).isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(Files.readString(dir.resolve("report.log"))).contains("--period: '2026-13' is not a billing period")
                    .contains("--since (2026-11-05) is after --as-of (2026-11-01)")
                    .contains("has no published snapshot on or before 2026-10-01")
                    .contains("network 99999999 has no published snapshot covering billing period 2026-10")
                    .contains("a-file/oct.csv cannot be written: it is a file, not a directory")
                    .contains(dir + " cannot be written: it is a directory")
                    .doesNotContain(".tmp");
            assertThat(Files.list(dir).map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("oct.csv", "oct.json", "audit.html", "report.log", "a-file");
        } finally {
            io.wickrcensus.parquet.PartitionWriter.deleteTree(dir);
        }
    }

    @Test
    void aDatabaseTheJobNeverRanAgainstHasNoData() throws Exception {
        String empty = TestDatabases.newDatabase("empty");
        Path dir = TestFiles.dir("census-report");
        try {
            assertThat(report(dir, TestDatabases.env(empty), "guest-billing", "--period", "2026-10")).isEqualTo(ExitCodes.NO_DATA);
            assertThat(report(dir, Map.of(), "guest-billing", "--period", "2026-10", "--data-dir", dir.resolve("nothing").toString()))
                    .as("no database anywhere").isEqualTo(ExitCodes.BAD_CONFIGURATION);
            assertThat(Files.readString(dir.resolve("report.log"))).contains("holds no census snapshots")
                    .contains("holds no embedded PostgreSQL");
        } finally {
            io.wickrcensus.parquet.PartitionWriter.deleteTree(dir);
        }
    }

    @Test
    void theHtmlPageRendersInChromiumWithItsChart() throws Exception {
        GuestBillingReport r = guestBilling(OCT, 3);
        Path artifacts = Path.of("target", "report-artifacts").toAbsolutePath();
        Files.createDirectories(artifacts);
        Path html = artifacts.resolve("guest-billing-2026-10.html");
        try (var w = Files.newBufferedWriter(html)) {
            ReportWriter.write(r, ReportFormat.HTML, w);
        }
        String page = Files.readString(html);
        assertThat(page).as("self-contained: nothing to fetch").doesNotContain("<script", "<link", "src=", "href=", "url(", "@import");
        assertThat(page.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://", "https://");

        Chromium chromium = Chromium.find();
        String dom = chromium.dumpDom(html);
        GuestBillingReport.Network n = r.networks().get(0);
        assertThat(dom).contains("<h1>Guest billing, 2026-10</h1>", "<span class=\"badge final\">final</span>");
        assertThat(count(dom, "data-guests=")).as("a bar per period, all twelve captured").isEqualTo(12);
        assertThat(count(dom, "class=\"nodata\"")).isZero();
        assertThat(dom).contains("class=\"bar current\" data-period=\"2026-10\" data-guests=\"" + n.guests() + "\"");
        assertThat(count(dom, "<tr><td>")).as("a row per billable guest, then one per departed guest")
                .isEqualTo(n.guests() + n.goneGuests());
        assertThat(dom).contains("Billable guest users (" + String.format(java.util.Locale.ROOT, "%,d", n.guests()) + ")");

        Path png = artifacts.resolve("guest-billing-2026-10.png");
        chromium.screenshot(html, png);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertThat(img.getWidth()).isEqualTo(1280);
        assertThat(pixels(img, 0x2b6cb0)).as("pixels of the past periods' bars").isGreaterThan(5000);
        assertThat(pixels(img, 0xdd6b20)).as("pixels of the current period's bar").isGreaterThan(500);

        Path pdf = artifacts.resolve("guest-billing-2026-10.pdf");
        chromium.printToPdf(html, pdf);
        assertThat(new String(Files.readAllBytes(pdf), 0, 5, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
    }

    @Test
    void reportFilesFollowTheUmaskAndPrivateOnesAreTheOwnersOnly() throws Exception {
        Path dir = io.wickrcensus.testing.TestFiles.dir("report-modes");
        Path plain = Files.createFile(dir.resolve("as-any-file"));
        assertThat(report(dir, "guest-billing", "--period", "2026-10", "--out", dir.resolve("shared.csv").toString())).isEqualTo(0);
        assertThat(report(dir, "guest-billing", "--period", "2026-10", "--private", "--out", dir.resolve("private.csv").toString()))
                .isEqualTo(0);
        assertThat(Files.getPosixFilePermissions(dir.resolve("shared.csv"))).as("the umask's mode, as any new file")
                .isEqualTo(Files.getPosixFilePermissions(plain));
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("private.csv"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("private.csv"))).isEqualTo(Files.readString(dir.resolve("shared.csv")));
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static int pixels(java.awt.image.BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                n += (img.getRGB(x, y) & 0xffffff) == rgb ? 1 : 0;
            }
        }
        return n;
    }

    static int report(Path dir, String... args) throws Exception {
        return report(dir, TestDatabases.env(h.dbUrl), args);
    }

    /** {@code wickr-census report ...} in a child JVM, so that the environment is its own; output appended to report.log. */
    static int report(Path dir, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), io.wickrcensus.cli.Main.class.getName(), "report"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("report.log").toFile()));
        pb.environment().remove("CENSUS_DB_URL");
        pb.environment().putAll(env);
        return JobHarness.await(pb.start());
    }
}
