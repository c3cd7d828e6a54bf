package io.wickrcensus.report;

import io.wickrcensus.job.AfterPublish;
import io.wickrcensus.parquet.S3Target;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

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

    /** Where the files go: the directory's or the bucket's view of paths relative to the root, with '/'. */
    private interface Sink extends AutoCloseable {
        void write(String relative, String content) throws IOException;

        /** Every file under the root, relative, with '/'. */
        List<String> list() throws IOException;

        String describe(String relative);

        /** Null when the root can take the reports, else why not in words. */
        String problem();

        @Override
        void close();
    }

    /**
     * The reports of {@code location}: a directory, or {@code s3://BUCKET/PREFIX} in
     * CENSUS_S3_REGION (else {@code jobRegion}) as the environment configures S3.
     */
    public static ReportsDirectory at(String location, Map<String, String> env, String jobRegion, int graceDays) {
        if (S3Target.isS3(location)) {
            return new ReportsDirectory(S3Target.parse(location, env, jobRegion), graceDays);
        }
        if (S3Target.isOtherUrl(location)) {
            throw new IllegalArgumentException(location + " is a URL; the reports go to a directory or to s3://BUCKET/PREFIX");
        }
        return new ReportsDirectory(Path.of(location), graceDays);
    }

    private final Sink sink;
    private final int graceDays;

    /** The reports in a local (or mounted) directory. */
    public ReportsDirectory(Path root, int graceDays) {
        Path abs = root.toAbsolutePath();
        this.graceDays = graceDays;
        this.sink = new Sink() {
            @Override
            public void write(String relative, String content) throws IOException {
                ReportFiles.write(abs.resolve(relative), false, w -> w.write(content));
            }

            @Override
            public List<String> list() throws IOException {
                if (!Files.isDirectory(abs)) {
                    return List.of();
                }
                try (Stream<Path> files = Files.walk(abs, 2)) {
                    return files.filter(Files::isRegularFile).map(f -> abs.relativize(f).toString().replace('\\', '/')).toList();
                }
            }

            @Override
            public String describe(String relative) {
                return abs.resolve(relative).toString();
            }

            @Override
            public String problem() {
                return io.wickrcensus.support.FileProblems.unwritableDirectory(abs);
            }

            @Override
            public void close() {
            }
        };
    }

    /** The reports under an S3 prefix, written through one client until {@link #close}. */
    public ReportsDirectory(S3Target target, int graceDays) {
        this.graceDays = graceDays;
        this.sink = new Sink() {
            private S3Client client;

            private synchronized S3Client s3() {
                if (client == null) {
                    client = target.client();
                }
                return client;
            }

            @Override
            public void write(String relative, String content) throws IOException {
                // no charset parameter: the pages declare UTF-8 themselves, and S3Proxy's Jetty rewrites
                // "text/html; charset=utf-8" after signing, which fails the signature
                String type = relative.endsWith(".html") ? "text/html" : relative.endsWith(".json") ? "application/json" : "text/csv";
                try {
                    s3().putObject(r -> r.bucket(target.bucket()).key(target.key(relative)).contentType(type),
                            RequestBody.fromBytes(content.getBytes(StandardCharsets.UTF_8)));
                } catch (SdkException e) {
                    throw new IOException("writing " + describe(relative) + " failed: " + e.getMessage(), e);
                }
            }

            @Override
            public List<String> list() throws IOException {
                String prefix = target.key("");
                try {
                    List<String> out = new ArrayList<>();
                    s3().listObjectsV2Paginator(r -> r.bucket(target.bucket()).prefix(prefix)).contents()
                            .forEach(o -> out.add(o.key().substring(prefix.length())));
                    return out;
                } catch (SdkException e) {
                    throw new IOException("listing " + target + " failed: " + e.getMessage(), e);
                }
            }

            @Override
            public String describe(String relative) {
                return target + "/" + relative;
            }

            @Override
            public String problem() {
                return target.problem();
            }

            @Override
            public synchronized void close() {
                if (client != null) {
                    client.close();
                    client = null;
                }
            }
        };
    }

    /** Null when the directory or bucket can take the reports, else why not: checked before the run calls the API. */
    public String problem() {
        return sink.problem();
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
