package io.wickrcensus.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.Chromium;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;

/**
 * A first night's guest-billing page reads correctly: the ten earlier periods no snapshot captured
 * are "no data" marks with a legend, not bars of zero, and the current period's provisional
 * figure is told apart from a final one. Rendered in Chromium and kept as a screenshot.
 */
class FirstNightReportTest {

    @Test
    void periodsWithoutASnapshotAreNoDataAndAProvisionalBarIsToldApart() throws Exception {
        try (JobHarness h = new JobHarness(200, 40, TestDatabases.newDatabase("firstnight"))) {
            assertThat(h.run("2026-11-20")).isEqualTo(ExitCodes.OK);
            GuestBillingReport r;
            try (Connection c = TestDatabases.connect(h.dbUrl)) {
                r = GuestBillingReport.load(c, YearMonth.of(2026, 11), null, 3);
            }
            GuestBillingReport.Network n = r.networks().get(0);
            assertThat(n.history()).hasSize(12);
            assertThat(n.history().stream().filter(p -> p.guests() == null)).as("periods no snapshot captured").hasSize(10);
            assertThat(n.history().get(10).isFinal()).as("2026-10, final by 2026-11-20").isTrue();
            assertThat(n.history().get(11).isFinal()).as("2026-11, still provisional").isFalse();

            Path artifacts = Files.createDirectories(Path.of("target", "report-artifacts").toAbsolutePath());
            Path html = artifacts.resolve("guest-billing-first-night.html");
            try (var w = Files.newBufferedWriter(html)) {
                ReportWriter.write(r, ReportFormat.HTML, w);
            }
            Chromium chromium = Chromium.find();
            String dom = chromium.dumpDom(html);
            assertThat(ReportTest.count(dom, "<rect class=\"nodata\" data-period=")).isEqualTo(10);
            assertThat(ReportTest.count(dom, ">no data</text>")).isEqualTo(10);
            assertThat(dom).contains("no data: no snapshot captured the period", "provisional (may still change)",
                    "class=\"bar current provisional\" data-period=\"2026-11\"", "class=\"bar\" data-period=\"2026-10\"");
            Path png = artifacts.resolve("guest-billing-first-night.png");
            chromium.screenshot(html, png);
            java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
            assertThat(ReportTest.pixels(img, 0x2b6cb0)).as("the final bar of 2026-10").isGreaterThan(300);
        }
    }
}
