package io.wickrcensus.report;

import io.wickrcensus.job.AfterPublish;
import io.wickrcensus.parquet.FileRoot;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reports a run publishes for finance and auditors ({@code run --reports-dir DIR}), after each
 * published network, in CSV, JSON and HTML, in a directory or under an S3 prefix:
 * <pre>
 * index.html                                     every report, by network and period, newest first
 * NETWORK/guest-billing-YYYY-MM.{csv,json,html}  each billing period the run covered
 * NETWORK/audit-YYYY-MM-DD.{csv,json,html}       the snapshot against the network's previous one
 * </pre>
 * Every file is replaced atomically (a rename in a directory, a PUT on S3). A relaunch writes them
 * again: the CSVs byte for byte, the JSON and HTML differing only in their generated-at time.
 */
public final class ReportsDirectory implements AfterPublish, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReportsDirectory.class);
    private static final Pattern GUEST_BILLING = Pattern.compile("([A-Za-z0-9_-]{8})/guest-billing-(\\d{4}-\\d{2})\\.html");
    private static final Pattern AUDIT = Pattern.compile("([A-Za-z0-9_-]{8})/audit-(\\d{4}-\\d{2}-\\d{2})\\.html");

    private final FileRoot root;
    private final FileRoot.Open sink;
    private final int graceDays;

    /** The reports under {@code root}, written through one open root until {@link #close}. */
    public ReportsDirectory(FileRoot root, int graceDays) {
        this.root = root;
        this.sink = root.open();
        this.graceDays = graceDays;
    }

    /** The reports in a local (or mounted) directory. */
    public ReportsDirectory(Path dir, int graceDays) {
        this(new FileRoot.Directory(dir), graceDays);
    }

    /** Null when the directory or bucket can take the reports, else why not: checked before the run calls the API. */
    public String problem() {
        return root.problem();
    }

    @Override
    public void close() {
        sink.close();
    }

    public String index() {
        return sink.describe("index.html");
    }

    /**
     * After a network's snapshot is published (or found published by a relaunch): writes its
     * reports of the snapshot of {@code asOf}, then the index.
     */
    @Override
    public void published(DataSource dataSource, String networkId, LocalDate asOf, List<YearMonth> billingPeriods)
            throws SQLException, IOException {
        int files = 0;
        try (Connection c = dataSource.getConnection()) {
            for (YearMonth period : billingPeriods) {
                GuestBillingReport r = GuestBillingReport.load(c, period, networkId, graceDays);
                if (!r.networks().isEmpty()) {
                    files += write(networkId + "/guest-billing-" + period, ReportWriter.renderAll(r));
                }
            }
            AuditReport audit = AuditReport.load(c, networkId, asOf, null);
            files += write(networkId + "/audit-" + audit.snapshotDate(), ReportWriter.renderAll(audit));
        }
        writeIndex();
        log.info("network {}: {} reports written to {}; index {}", networkId, files, sink.describe(networkId), index());
    }

    /** One report in each format, as {@code base.EXTENSION}; returns the number of files. */
    private int write(String base, Map<ReportFormat, String> formats) throws IOException {
        for (Map.Entry<ReportFormat, String> f : formats.entrySet()) {
            sink.write(base + "." + f.getKey().extension(), f.getValue());
        }
        return formats.size();
    }

    /** The index of every report under the root, by network, newest first. Networks run side by side, so one at a time. */
    void writeIndex() throws IOException {
        synchronized (ReportsDirectory.class) {
            Map<String, List<String[]>> byNetwork = new TreeMap<>();
            for (String file : sink.list()) {
                Matcher g = GUEST_BILLING.matcher(file);
                Matcher a = AUDIT.matcher(file);
                if (g.matches()) {
                    byNetwork.computeIfAbsent(g.group(1), k -> new ArrayList<>())
                            .add(new String[] {"Guest billing", g.group(2), file.substring(0, file.length() - 5)});
                } else if (a.matches()) {
                    byNetwork.computeIfAbsent(a.group(1), k -> new ArrayList<>())
                            .add(new String[] {"Audit", a.group(2), file.substring(0, file.length() - 5)});
                }
            }
            byNetwork.values().forEach(reports -> reports.sort(Comparator.<String[], String>comparing(x -> x[0]).reversed()
                    .thenComparing(Comparator.<String[], String>comparing(x -> x[1]).reversed())));
            Html h = new Html("Wickr census reports");
            h.el("h1", null, "Wickr census reports");
            h.el("p", "meta", "Guest billing per billing period (final once a snapshot taken " + graceDays
                    + " days after the period's end captured it) and the audit of each snapshot against the one before, "
                    + "per network, newest first. Each report is in HTML, CSV and JSON; they hold personal data.");
            if (byNetwork.isEmpty()) {
                h.el("p", "note", "No report yet.");
            }
            for (var e : byNetwork.entrySet()) {
                h.el("h2", null, "Network " + e.getKey());
                String kind = null;
                for (String[] r : e.getValue()) {
                    if (!r[0].equals(kind)) {
                        if (kind != null) {
                            h.raw("</ul>\n");
                        }
                        kind = r[0];
                        h.el("h3", null, kind);
                        h.raw("<ul>\n");
                    }
                    String base = Html.esc(r[2]);
                    h.raw("<li>" + Html.esc(r[1]) + ": <a href=\"" + base + ".html\">HTML</a> · <a href=\"" + base + ".csv\">CSV</a> · "
                            + "<a href=\"" + base + ".json\">JSON</a></li>\n");
                }
                if (kind != null) {
                    h.raw("</ul>\n");
                }
            }
            sink.write("index.html", h.end());
        }
    }
}
