package io.wickrcensus.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.wickrcensus.api.Json;
import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.testing.JobHarness;
import io.wickrcensus.testing.TestDatabases;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A guest-billing report across several networks ends with their totals, in one CSV table. */
class TotalsTest {

    @Test
    void aReportOfTwoNetworksEndsWithATotalsRow() throws Exception {
        try (JobHarness h = new JobHarness(100, 30, TestDatabases.newDatabase("totals"), JobHarness.PERIODS, b -> b.networks(2))) {
            List<String> ids = h.emulator.networkIds();
            assertThat(h.run(h.settings("2026-11-20", ids.toArray(String[]::new)), JobHarness.SECRET)).isEqualTo(ExitCodes.OK);
            GuestBillingReport r;
            try (Connection c = TestDatabases.connect(h.dbUrl)) {
                r = GuestBillingReport.load(c, YearMonth.of(2026, 10), null, 3);
            }
            assertThat(r.networks()).hasSize(2);
            GuestBillingReport.Totals t = r.totals();
            assertThat(t.networks()).isEqualTo(2);
            assertThat(t.guests()).isEqualTo(r.networks().get(0).guests() + r.networks().get(1).guests())
                    .isEqualTo(h.count("SELECT sum(guests) FROM census.guest_counts WHERE billing_period = '2026-10'"));
            assertThat(t.status()).isEqualTo("final");
            StringWriter csv = new StringWriter();
            ReportWriter.write(r, ReportFormat.CSV, csv);
            List<String> lines = csv.toString().lines().toList();
            assertThat(lines.get(lines.size() - 1)).as("the last row").startsWith("total,,2026-10,final,," + t.guests() + ",");
            assertThat(lines.stream().filter(l -> l.startsWith("total,"))).hasSize(1);
            StringWriter json = new StringWriter();
            ReportWriter.write(r, ReportFormat.JSON, json);
            assertThat(Json.MAPPER.readTree(json.toString()).get("totals").get("guests").asLong()).isEqualTo(t.guests());
            try (Connection c = TestDatabases.connect(h.dbUrl)) {
                assertThat(GuestBillingReport.load(c, YearMonth.of(2026, 10), ids.get(0), 3).totals()).as("one network: no totals").isNull();
            }
        }
    }
}
