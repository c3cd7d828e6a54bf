package io.wickrcensus.report;

import io.wickrcensus.job.AfterPublish;
import io.wickrcensus.job.AfterRetract;
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
import java.util.Optional;
import java.sql.PreparedStatement;
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
 * index.html                                        every report, by network and period, newest first
 * NETWORK/guest-billing-YYYY-MM.{csv,json,html}     each billing period the run covered
 * NETWORK/guest-billing-YYYY-MM-restated-N.csv      a final period's figures after a retraction changed them
 * NETWORK/audit-YYYY-MM-DD.{csv,json,html}          the snapshot against the network's previous one
 * NETWORK/retractions.{csv,html}                    the network's retracted snapshots, when it has any
 * </pre>
 * Every file is replaced atomically (a rename in a directory, a PUT on S3). A relaunch writes them
 * again: the CSVs byte for byte, the JSON and HTML differing only in their generated-at time.
 *
 * <p>A final period's CSV is never rewritten with other bytes: its hash is the one finance signed.
 * If its figures change (a retraction of the snapshot that decided them), that is a restatement:
 * the new figures go to {@code ...-restated-N.csv}, and the page shows both hashes and why. A
 * retraction ({@code retract --reports-dir}) rewrites every report it touches the same way.
 */
public final class ReportsDirectory implements AfterPublish, AfterRetract, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReportsDirectory.class);
    private static final Pattern GUEST_BILLING = Pattern.compile("([A-Za-z0-9_-]{8})/guest-billing-(\\d{4}-\\d{2})\\.html");
    private static final Pattern AUDIT = Pattern.compile("([A-Za-z0-9_-]{8})/audit-(\\d{4}-\\d{2}-\\d{2})\\.html");
    private static final Pattern RESTATED = Pattern.compile("(.*/guest-billing-\\d{4}-\\d{2})-restated-(\\d+)\\.csv");

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
            AuditReport audit = AuditReport.load(c, networkId, asOf, null);
            String base = networkId + "/audit-" + audit.snapshotDate();
            files += write(base, ReportWriter.renderAll(audit, new ReportWriter.Files(fileName(base + ".csv"), List.of())));
            files += periodsAndIndex(c, networkId, billingPeriods);
        }
        log.info("network {}: {} reports written to {}; index {}", networkId, files, sink.describe(networkId), index());
    }

    /**
     * After a snapshot is retracted ({@code retract --reports-dir}): rewrites the guest billing of
     * every period it covered (a restatement where it had decided a final period's figures), the
     * network's retractions, and the index, which marks the snapshot's audit retracted.
     */
    @Override
    public void retracted(DataSource dataSource, String networkId, LocalDate asOf, List<YearMonth> billingPeriods)
            throws SQLException, IOException {
        int files;
        try (Connection c = dataSource.getConnection()) {
            files = periodsAndIndex(c, networkId, billingPeriods);
        }
        log.info("network {} {}: {} reports the retraction touched were written to {}; index {}", networkId, asOf, files,
                sink.describe(networkId), index());
    }

    /** The guest billing of each period, the network's retractions, then the index; returns the files written. */
    private int periodsAndIndex(Connection c, String networkId, List<YearMonth> billingPeriods) throws SQLException, IOException {
        int files = 0;
        for (YearMonth period : billingPeriods) {
            files += guestBilling(c, networkId, period);
        }
        files += retractions(c, networkId);
        writeIndex(c);
        return files;
    }

    /**
     * The guest billing of one period. A final period's CSV already written is kept when the figures
     * differ: they go to the next restated file. When no published snapshot covers the period any
     * more, the page says so and the CSVs stay. Returns the number of files written.
     */
    private int guestBilling(Connection c, String networkId, YearMonth period) throws SQLException, IOException {
        GuestBillingReport r = GuestBillingReport.load(c, period, networkId, graceDays);
        String base = networkId + "/guest-billing-" + period;
        Optional<String> written = sink.read(base + ".csv");
        List<String> files = new ArrayList<>();
        List<String> contents = new ArrayList<>();
        if (written.isPresent()) {
            files.add(base + ".csv");
            contents.add(written.get());
            for (String restated : restated(base)) {
                files.add(restated);
                contents.add(sink.read(restated).orElseThrow());
            }
        }
        if (r.networks().isEmpty()) {
            if (files.isEmpty()) {
                return 0;
            }
            return write(base, Map.of(ReportFormat.HTML, withdrawnHtml(c, networkId, period, files, contents),
                    ReportFormat.JSON, withdrawnJson(c, networkId, period, files, contents)));
        }
        String csv = ReportWriter.csv(r);
        if (files.isEmpty() || !isFinal(written.get())) {
            return write(base, ReportWriter.renderAll(r, new ReportWriter.Files(fileName(base + ".csv"), List.of())));
        }
        if (!csv.equals(contents.get(contents.size() - 1))) {
            files.add(base + "-restated-" + files.size() + ".csv");
            contents.add(csv);
            log.warn("network {}: the figures of final period {} changed: {} restates them; {} is kept as it was signed", networkId,
                    period, sink.describe(files.get(files.size() - 1)), sink.describe(base + ".csv"));
        }
        List<ReportWriter.KeptCsv> kept = new ArrayList<>();
        for (int i = 0; i < files.size() - 1; i++) {
            kept.add(new ReportWriter.KeptCsv(fileName(files.get(i)), ReportWriter.sha256(contents.get(i)), snapshotDate(contents.get(i)),
                    restatementReason(c, networkId, snapshotDate(contents.get(i)), snapshotDate(contents.get(i + 1)))));
        }
        Map<ReportFormat, String> formats = new java.util.EnumMap<>(ReportWriter.renderAll(r,
                new ReportWriter.Files(fileName(files.get(files.size() - 1)), kept)));
        formats.remove(ReportFormat.CSV);
        sink.write(files.get(files.size() - 1), csv); // the same bytes where it exists: a relaunch changes nothing
        return 1 + write(base, formats);
    }

    /** The restated CSVs of a period, in order. */
    private List<String> restated(String base) throws IOException {
        java.util.TreeMap<Integer, String> byNumber = new java.util.TreeMap<>();
        for (String f : sink.list()) {
            Matcher m = RESTATED.matcher(f);
            if (m.matches() && m.group(1).equals(base)) {
                byNumber.put(Integer.valueOf(m.group(2)), f);
            }
        }
        return new ArrayList<>(byNumber.values());
    }

    /** Whether a guest-billing CSV holds a final period's figures (its summary row says so). */
    static boolean isFinal(String csv) {
        return GuestBillingReport.FINAL.equals(summaryField(csv, 3));
    }

    /** The snapshot date a guest-billing CSV's figures are as of. */
    static LocalDate snapshotDate(String csv) {
        String d = summaryField(csv, 4);
        return d == null ? null : LocalDate.parse(d);
    }

    /** A field of the CSV's first summary row (its network id, period, status and date hold no comma). */
    private static String summaryField(String csv, int field) {
        for (String line : csv.split("\r\n")) {
            if (line.startsWith("summary,")) {
                String[] f = line.split(",", -1);
                return f.length > field ? f[field] : null;
            }
        }
        return null;
    }

    /** Why the figures as of {@code next} restate those as of {@code before}: the retraction of the earlier snapshot, as a rule. */
    private static String restatementReason(Connection c, String networkId, LocalDate before, LocalDate next) throws SQLException {
        return retraction(c, networkId, before).map(r -> r + "; the figures are now as of the snapshot of " + next + ".")
                .orElse("the figures as of the snapshot of " + next + " differ from those as of " + before + ".");
    }

    /** "the snapshot of D, which decided those figures, was retracted on T (reason)", when it was. */
    private static Optional<String> retraction(Connection c, String networkId, LocalDate snapshot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT to_char(retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), retraction_reason
                FROM census.retracted_runs WHERE network_id = ? AND snapshot_date = ?""")) {
            ps.setString(1, networkId);
            ps.setDate(2, java.sql.Date.valueOf(snapshot));
            return Sql.list(ps, rs -> "the snapshot of " + snapshot + ", which decided those figures, was retracted on "
                    + rs.getString(1) + " (" + rs.getString(2) + ")").stream().findFirst();
        }
    }

    private static String fileName(String relative) {
        return relative.substring(relative.lastIndexOf('/') + 1);
    }

    /** The page of a period no published snapshot covers any more: the CSVs written for it are kept, and said so. */
    private String withdrawnHtml(Connection c, String networkId, YearMonth period, List<String> files, List<String> contents)
            throws SQLException {
        Html h = new Html("Guest billing " + period);
        h.el("h1", null, "Guest billing, " + period + ", network " + networkId);
        h.el("p", "alert", "No published snapshot covers this period now: " + withdrawnWhy(c, networkId, contents)
                + ". The next snapshot that covers the period restates its figures, in a file of its own.");
        h.el("h2", null, "Signed CSVs, kept as they were");
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            rows.add(List.of(fileName(files.get(i)), String.valueOf(snapshotDate(contents.get(i))), ReportWriter.sha256(contents.get(i))));
        }
        h.table("kept", List.of("File", "Snapshot", "SHA-256"), rows);
        return h.end();
    }

    private static String withdrawnWhy(Connection c, String networkId, List<String> contents) throws SQLException {
        LocalDate last = snapshotDate(contents.get(contents.size() - 1));
        return retraction(c, networkId, last).orElse("the snapshot of " + last + " no longer decides its figures");
    }

    private String withdrawnJson(Connection c, String networkId, YearMonth period, List<String> files, List<String> contents)
            throws SQLException {
        tools.jackson.databind.node.ObjectNode o = tools.jackson.databind.json.JsonMapper.builder().build().createObjectNode();
        o.put("billingPeriod", period.toString());
        o.put("networkId", networkId);
        o.put("covered", false);
        o.put("note", "No published snapshot covers this period now: " + withdrawnWhy(c, networkId, contents) + ".");
        tools.jackson.databind.node.ArrayNode kept = o.putArray("keptCsvs");
        for (int i = 0; i < files.size(); i++) {
            kept.addObject().put("file", fileName(files.get(i))).put("snapshotDate", String.valueOf(snapshotDate(contents.get(i))))
                    .put("sha256", ReportWriter.sha256(contents.get(i)));
        }
        return o.toPrettyString() + "\n";
    }

    /** The network's retracted snapshots as {@code retractions.csv} and {@code .html}, when it has any; returns the files written. */
    private int retractions(Connection c, String networkId) throws SQLException, IOException {
        List<String[]> rows;
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT snapshot_date::text, array_to_string(billing_periods, ' '),
                       to_char(retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), retracted_by, retraction_reason
                FROM census.runs WHERE network_id = ? AND status = 'RETRACTED' ORDER BY snapshot_date""")) {
            ps.setString(1, networkId);
            rows = Sql.list(ps, rs -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)});
        }
        if (rows.isEmpty()) {
            return 0;
        }
        java.io.StringWriter w = new java.io.StringWriter();
        Csv csv = new Csv(w).row("network_id", "snapshot_date", "billing_periods", "retracted_at", "retracted_by", "reason");
        for (String[] r : rows) {
            csv.row(networkId, r[0], r[1], r[2], r[3], r[4]);
        }
        Html h = new Html("Retracted snapshots of network " + networkId);
        h.el("h1", null, "Retracted snapshots of network " + networkId);
        h.el("p", "meta", "Each was published and then retracted (wickr-census retract): it counts for nothing in any report. "
                + "As CSV: retractions.csv.");
        h.table("retractions", List.of("Snapshot", "Billing periods", "Retracted at", "By", "Reason"),
                rows.stream().map(r -> List.<Object>of(r[0], r[1], r[2], r[3] == null ? "" : r[3], r[4] == null ? "" : r[4])).toList());
        sink.write(networkId + "/retractions.csv", w.toString());
        sink.write(networkId + "/retractions.html", h.end());
        return 2;
    }

    /** One report in each format, as {@code base.EXTENSION}; returns the number of files. */
    private int write(String base, Map<ReportFormat, String> formats) throws IOException {
        for (Map.Entry<ReportFormat, String> f : formats.entrySet()) {
            sink.write(base + "." + f.getKey().extension(), f.getValue());
        }
        return formats.size();
    }

    /**
     * The index of every report under the root, by network, newest first: a retracted snapshot's
     * audit marked so, with a link to the network's retractions; a restated period's CSV link the
     * latest restatement, beside the signed one. Networks run side by side, so one at a time.
     */
    void writeIndex(Connection c) throws IOException, SQLException {
        Map<String, String> retracted = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT network_id || '/' || snapshot_date, to_char(retracted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       retraction_reason FROM census.retracted_runs""")) {
            Sql.list(ps, rs -> retracted.put(rs.getString(1), "retracted on " + rs.getString(2)
                    + (rs.getString(3) == null ? "" : ": " + rs.getString(3))));
        }
        synchronized (ReportsDirectory.class) {
            List<String> all = sink.list();
            Map<String, List<String[]>> byNetwork = new TreeMap<>();
            Map<String, String> latestRestated = new java.util.HashMap<>();
            for (String file : all) {
                Matcher m = RESTATED.matcher(file);
                if (m.matches()) {
                    latestRestated.merge(m.group(1), file, (a, b) -> restatedNumber(a) >= restatedNumber(b) ? a : b);
                }
            }
            for (String file : all) {
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
                if (all.contains(e.getKey() + "/retractions.html")) {
                    h.raw("<p class=\"alert\">This network has retracted snapshots: <a href=\"" + Html.esc(e.getKey())
                            + "/retractions.html\">retractions</a> (<a href=\"" + Html.esc(e.getKey()) + "/retractions.csv\">CSV</a>).</p>\n");
                }
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
                    String restated = latestRestated.get(r[2]);
                    String csv = restated == null ? base + ".csv" : Html.esc(restated);
                    StringBuilder li = new StringBuilder("<li>" + Html.esc(r[1]) + ": <a href=\"" + base + ".html\">HTML</a> · <a href=\""
                            + csv + "\">CSV</a> · <a href=\"" + base + ".json\">JSON</a>");
                    if (restated != null) {
                        li.append(" · restated (<a href=\"").append(base).append(".csv\">signed CSV</a>, kept)");
                    }
                    String why = r[0].equals("Audit") ? retracted.get(e.getKey() + "/" + r[1]) : null;
                    if (why != null) {
                        li.append(" · <strong>").append(Html.esc("snapshot " + why)).append("</strong> (<a href=\"")
                                .append(Html.esc(e.getKey())).append("/retractions.html\">retractions</a>)");
                    }
                    h.raw(li.append("</li>\n").toString());
                }
                if (kind != null) {
                    h.raw("</ul>\n");
                }
            }
            sink.write("index.html", h.end());
        }
    }

    private static int restatedNumber(String file) {
        Matcher m = RESTATED.matcher(file);
        return m.matches() ? Integer.parseInt(m.group(2)) : -1;
    }
}
