package io.wickrcensus.report;

import tools.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the reports as CSV (one table per report, a {@code record} column telling the kinds of
 * row apart), JSON (the report as one document) or a self-contained HTML page. The CSV holds
 * nothing that depends on when it was written, so the same figures give the same bytes; the JSON
 * and HTML carry their {@link Provenance}: when and by which version they were made, from which
 * runs, and the SHA-256 of the CSV of the same figures, by which anyone can check that a final
 * period's figures are the ones signed before.
 */
public final class ReportWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ReportWriter() {
    }

    /**
     * Where a report's figures come from.
     *
     * @param generatedAt  when the report was made, UTC
     * @param version      the software's version
     * @param networkIds   the networks it covers
     * @param decidingRuns per network, the run whose snapshot its figures are as of
     * @param csvSha256    the SHA-256 (hex) of the report's CSV, which holds the same figures
     * @param csvFile      that CSV's file name beside the page, when the report was written to a reports directory; else null
     * @param restates     the CSVs of the same report these figures restate, kept as they were signed (oldest first; see
     *                     {@link KeptCsv})
     */
    public record Provenance(String generatedAt, String version, List<String> networkIds, List<DecidingRun> decidingRuns,
                             String csvSha256, String csvFile, List<KeptCsv> restates) {
    }

    /**
     * A CSV of a final period kept as it was signed, whose figures a later file restates.
     *
     * @param file         its file name
     * @param sha256       its SHA-256 (hex)
     * @param snapshotDate the snapshot its figures are as of
     * @param reason       why the next file restates it
     */
    public record KeptCsv(String file, String sha256, java.time.LocalDate snapshotDate, String reason) {
    }

    /** Where a report goes in a reports directory: its CSV's file name and the CSVs it restates. */
    public record Files(String csv, List<KeptCsv> restates) {
        /** Not in a reports directory. */
        public static final Files NONE = new Files(null, List.of());
    }

    public record DecidingRun(String networkId, long runId, java.time.LocalDate snapshotDate) {
    }

    public static void write(GuestBillingReport r, ReportFormat format, Writer out) throws IOException {
        switch (format) {
            case JSON -> json(r, provenance(r), out);
            case CSV -> guestBillingCsv(r, out);
            case HTML -> out.write(guestBillingHtml(r, provenance(r)));
        }
        out.flush();
    }

    public static void write(AuditReport r, ReportFormat format, Writer out) throws IOException {
        switch (format) {
            case JSON -> json(r, provenance(r), out);
            case CSV -> auditCsv(r, out);
            case HTML -> out.write(auditHtml(r, provenance(r)));
        }
        out.flush();
    }

    /**
     * The report in every format, its CSV rendered once: the JSON and the HTML carry that CSV's
     * SHA-256 and one generated-at time.
     */
    public static Map<ReportFormat, String> renderAll(GuestBillingReport r) throws IOException {
        return renderAll(r, Files.NONE);
    }

    /** The same, for a reports directory: the pages link the CSV by name and show the signed CSVs it restates. */
    public static Map<ReportFormat, String> renderAll(GuestBillingReport r, Files files) throws IOException {
        String csv = csv(r);
        Provenance p = provenance(decidingRuns(r), csv, files);
        return formats(csv, render(w -> json(r, p, w)), guestBillingHtml(r, p));
    }

    /** The report's CSV: what is signed for a final period. */
    public static String csv(GuestBillingReport r) throws IOException {
        return render(w -> guestBillingCsv(r, w));
    }

    /** The same for an audit report. */
    public static Map<ReportFormat, String> renderAll(AuditReport r) throws IOException {
        return renderAll(r, Files.NONE);
    }

    /** The same for an audit report in a reports directory. */
    public static Map<ReportFormat, String> renderAll(AuditReport r, Files files) throws IOException {
        String csv = render(w -> auditCsv(r, w));
        Provenance p = provenance(decidingRuns(r), csv, files);
        return formats(csv, render(w -> json(r, p, w)), auditHtml(r, p));
    }

    private static Map<ReportFormat, String> formats(String csv, String json, String html) {
        Map<ReportFormat, String> m = new java.util.EnumMap<>(ReportFormat.class);
        m.put(ReportFormat.CSV, csv);
        m.put(ReportFormat.JSON, json);
        m.put(ReportFormat.HTML, html);
        return m;
    }

    private interface Rendering {
        void to(Writer w) throws IOException;
    }

    private static String render(Rendering r) throws IOException {
        java.io.StringWriter w = new java.io.StringWriter();
        r.to(w);
        return w.toString();
    }

    private static List<DecidingRun> decidingRuns(GuestBillingReport r) {
        return r.networks().stream().map(n -> new DecidingRun(n.networkId(), n.runId(), n.snapshotDate())).toList();
    }

    private static List<DecidingRun> decidingRuns(AuditReport r) {
        return List.of(new DecidingRun(r.networkId(), r.runId(), r.snapshotDate()));
    }

    static Provenance provenance(GuestBillingReport r) throws IOException {
        return provenance(decidingRuns(r), csv(r), Files.NONE);
    }

    static Provenance provenance(AuditReport r) throws IOException {
        return provenance(decidingRuns(r), render(w -> auditCsv(r, w)), Files.NONE);
    }

    private static Provenance provenance(List<DecidingRun> runs, String csv, Files files) {
        return new Provenance(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                io.wickrcensus.support.Version.current(), runs.stream().map(DecidingRun::networkId).toList(), runs, sha256(csv),
                files.csv(), files.restates());
    }

    /** The SHA-256 of {@code csv}'s UTF-8 bytes, in hex: what {@code sha256sum} prints for the CSV file. */
    public static String sha256(String csv) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(csv.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void json(Object report, Provenance provenance, Writer out) throws IOException {
        tools.jackson.databind.node.ObjectNode tree = JSON.valueToTree(report);
        tree.set("provenance", JSON.valueToTree(provenance));
        // as a string: the mapper would close the caller's writer
        out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree));
        out.write('\n');
    }

    /** The report's provenance at the end of its page. */
    private static void provenanceHtml(Html h, Provenance p) {
        h.el("h2", null, "Provenance");
        List<String[]> facts = new ArrayList<>();
        facts.add(new String[] {"Generated at (UTC)", p.generatedAt()});
        facts.add(new String[] {"Software", "wickr-census " + p.version()});
        for (DecidingRun d : p.decidingRuns()) {
            facts.add(new String[] {"Network " + d.networkId(), "run " + d.runId() + ", snapshot of " + d.snapshotDate()});
        }
        facts.add(new String[] {"SHA-256 of the CSV", p.csvSha256()});
        h.facts(facts);
        h.el("p", "meta", "The CSV of this report (--format csv) holds the same figures; sha256sum of that file gives the hash "
                + "above. A final period's CSV is never rewritten: its hash stays the one signed. Only a retraction of the snapshot "
                + "that decided it can change its figures, and then they go to a restated file beside it, the signed one kept.");
    }

    /** Near the top of a page: the CSV's hash and what it covers, and the signed CSVs these figures restate. */
    private static void hashHtml(Html h, Provenance p, String covers) {
        String file = p.csvFile() == null ? "the report's CSV (--format csv)" : null;
        h.raw("<p class=\"hash\">SHA-256 of " + (file != null ? Html.esc(file)
                : "<a href=\"" + Html.esc(p.csvFile()) + "\">" + Html.esc(p.csvFile()) + "</a>") + ": <code>" + Html.esc(p.csvSha256())
                + "</code>. " + Html.esc(covers + " sha256sum of the file prints this hash.") + "</p>\n");
        for (KeptCsv k : p.restates()) {
            h.raw("<p class=\"alert\">" + Html.esc("Restated. These figures replace those of ") + "<a href=\"" + Html.esc(k.file())
                    + "\">" + Html.esc(k.file()) + "</a>" + Html.esc(" (snapshot of " + k.snapshotDate() + "), which is kept as it was signed, "
                    + "SHA-256 ") + "<code>" + Html.esc(k.sha256()) + "</code>. " + Html.esc("Why: " + k.reason()) + "</p>\n");
        }
    }

    // ---- guest billing

    static final List<String> GUEST_BILLING_CSV_HEADER = List.of("record", "network_id", "billing_period", "period_status",
            "snapshot_date", "guests", "guests_reported", "previous_period_guests", "new", "returning", "gone",
            "username_hash", "username", "change");

    private static void guestBillingCsv(GuestBillingReport r, Writer out) throws IOException {
        Csv csv = new Csv(out).row(GUEST_BILLING_CSV_HEADER.toArray());
        for (GuestBillingReport.Network n : r.networks()) {
            csv.row("summary", n.networkId(), r.billingPeriod(), n.status(), n.snapshotDate(), n.guests(), n.guestsReported(),
                    n.previousGuests(), n.newGuests(), n.returningGuests(), n.goneGuests(), null, null, null);
            for (GuestBillingReport.Guest g : n.guestList()) {
                csv.row("guest", n.networkId(), r.billingPeriod(), n.status(), n.snapshotDate(), null, null, null, null, null, null,
                        g.usernameHash(), g.username(), g.change());
            }
            for (GuestBillingReport.Guest g : n.departed()) {
                csv.row("departed_guest", n.networkId(), r.billingPeriod(), n.status(), n.snapshotDate(), null, null, null, null, null,
                        null, g.usernameHash(), g.username(), g.change());
            }
            if (n.reconcileWarning() != null) {
                csv.row("reconcile_warning", n.networkId(), r.billingPeriod(), n.status(), n.snapshotDate(), null, null, null, null,
                        null, null, null, null, null);
            }
            // retracted snapshots are in the JSON, the page and retractions.csv, never here: a final period's CSV keeps its
            // signed bytes unless its figures change
        }
        GuestBillingReport.Totals t = r.totals();
        if (t != null) {
            csv.row("total", null, r.billingPeriod(), t.status(), null, t.guests(), t.guestsReported(), t.previousGuests(), t.newGuests(),
                    t.returningGuests(), t.goneGuests(), null, null, null);
        }
    }

    private static String guestBillingHtml(GuestBillingReport r, Provenance provenance) {
        Html h = new Html("Guest billing " + r.billingPeriod());
        h.el("h1", null, "Guest billing, " + r.billingPeriod());
        GuestBillingReport.Totals total = r.totals();
        if (total != null) {
            headline(h, total.guests(), "distinct billable guest users in " + r.billingPeriod() + " over " + total.networks()
                    + " networks, " + total.status());
        } else if (r.networks().size() == 1) {
            GuestBillingReport.Network only = r.networks().get(0);
            headline(h, only.guests(), "distinct billable guest users of network " + only.networkId() + " in " + r.billingPeriod()
                    + ", " + only.status() + " (as of the snapshot of " + only.snapshotDate() + ")");
        }
        hashHtml(h, provenance, "It covers every figure and row of the CSV: each network's summary, each billable guest and each "
                + "departed guest, with the period's status and deciding snapshot.");
        h.el("p", "meta", "A period is final once a snapshot taken on or after " + r.finalFrom() + " (" + r.graceDays()
                + " grace days after its end) has captured it; until then its figures are provisional.");
        if (r.networks().isEmpty()) {
            h.el("p", "note", "No published snapshot covers this period.");
        }
        for (GuestBillingReport.Network n : r.networks()) {
            h.raw("<section class=\"network\" data-network=\"" + Html.esc(n.networkId()) + "\">\n");
            h.raw("<h2>Network " + Html.esc(n.networkId()) + " <span class=\"badge " + n.status() + "\">" + n.status() + "</span></h2>\n");
            if (r.networks().size() > 1) {
                headline(h, n.guests(), "distinct billable guest users, " + n.status());
            }
            h.el("p", "meta", "As of the snapshot of " + n.snapshotDate() + " (run " + n.runId() + ").");
            if (n.note() != null) {
                h.el("p", "note", n.note());
            }
            if (n.reconcileWarning() != null) {
                h.el("p", "note", "Warning: this snapshot was published although its counts did not agree with the service's ("
                        + n.reconcileWarning() + "; --reconcile=warn).");
            }
            if (!n.retracted().isEmpty()) {
                h.el("h3", null, "Retracted snapshots (they count for nothing)");
                h.table("retracted", List.of("Snapshot", "Retracted at", "Reason"), n.retracted().stream()
                        .map(x -> List.<Object>of(x.snapshotDate(), x.retractedAt(), nz(x.reason()))).toList());
            }
            List<String[]> facts = new ArrayList<>();
            facts.add(new String[] {"Distinct guest users", fmt(n.guests())});
            facts.add(new String[] {"Reported by the service", n.guestsReported() == null ? "–" : fmt(n.guestsReported())});
            facts.add(new String[] {"Previous period", n.previousGuests() == null ? "not captured" : fmt(n.previousGuests())});
            facts.add(new String[] {"New", orNotCaptured(n.newGuests())});
            facts.add(new String[] {"Returning", orNotCaptured(n.returningGuests())});
            facts.add(new String[] {"Gone", fmt(n.goneGuests())});
            h.facts(facts);
            h.el("h3", null, "Guest users per billing period");
            h.barChart("Guest users per billing period, network " + n.networkId(),
                    n.history().stream().map(GuestBillingReport.PeriodCount::billingPeriod).toList(),
                    n.history().stream().map(GuestBillingReport.PeriodCount::guests).toList(),
                    n.history().stream().map(GuestBillingReport.PeriodCount::isFinal).toList());
            h.el("h3", null, "Billable guest users (" + fmt(n.guestList().size()) + ")");
            h.table("guests", List.of("Username", "Username hash", "Change"), n.guestList().stream()
                    .map(g -> List.<Object>of(nz(g.username()), g.usernameHash(), g.change() == null ? "n/a" : g.change())).toList(),
                    provenance.csvFile());
            h.el("h3", null, "Departed: guests of the previous period who are not guests of this one (" + fmt(n.departed().size())
                    + "; not billed)");
            h.table("departed", List.of("Username", "Username hash"), n.departed().stream()
                    .map(g -> List.<Object>of(nz(g.username()), g.usernameHash())).toList());
            h.raw("</section>\n");
        }
        GuestBillingReport.Totals t = r.totals();
        if (t != null) {
            h.el("h2", null, "All " + t.networks() + " networks");
            h.table("totals", List.of("Period", "Status", "Distinct guest users", "Reported by the service", "Previous period", "New",
                    "Returning", "Gone"), List.of(List.<Object>of(r.billingPeriod(), t.status(), fmt(t.guests()),
                    t.guestsReported() == null ? "–" : fmt(t.guestsReported()),
                    t.previousGuests() == null ? "not captured" : fmt(t.previousGuests()), orNotCaptured(t.newGuests()),
                    orNotCaptured(t.returningGuests()), fmt(t.goneGuests()))));
        }
        provenanceHtml(h, provenance);
        return h.end();
    }

    /** The page's headline figure, the largest thing on it. */
    private static void headline(Html h, long figure, String what) {
        h.raw("<p class=\"headline\"><span class=\"figure\">" + Html.esc(fmt(figure)) + "</span><span class=\"what\">" + Html.esc(what)
                + "</span></p>\n");
    }

    /** A new or returning count, or why there is none: with the previous period not captured, every guest would look new. */
    private static String orNotCaptured(Long v) {
        return v == null ? "n/a (previous period not captured)" : fmt(v);
    }

    // ---- audit

    static final List<String> AUDIT_CSV_HEADER = List.of("record", "network_id", "snapshot_date", "key", "kind", "username",
            "before", "after", "detail", "count");

    private static void auditCsv(AuditReport r, Writer out) throws IOException {
        Csv csv = new Csv(out).row(AUDIT_CSV_HEADER.toArray());
        String net = r.networkId();
        for (Map.Entry<String, Long> e : summaryFacts(r.summary()).entrySet()) {
            csv.row("summary", net, r.snapshotDate(), null, e.getKey(), null, null, null, null, e.getValue());
        }
        if (r.sinceSummary() != null) {
            Map<String, Long> before = summaryFacts(r.sinceSummary());
            for (Map.Entry<String, Long> e : before.entrySet()) {
                csv.row("summary_since", net, r.sinceSnapshotDate(), null, e.getKey(), null, null, null, null, e.getValue());
            }
            for (Map.Entry<String, Long> e : summaryFacts(r.summary()).entrySet()) {
                csv.row("net_change", net, r.snapshotDate(), null, e.getKey(), null, null, null, r.sinceSnapshotDate(),
                        e.getValue() - before.get(e.getKey()));
            }
        }
        for (Map.Entry<String, Long> e : r.changeCounts().entrySet()) {
            csv.row("event_count", net, r.snapshotDate(), null, e.getKey(), null, null, null, r.sinceSnapshotDate(), e.getValue());
        }
        for (AuditReport.Change c : r.changes()) {
            csv.row("event", net, c.snapshotDate(), c.userId(), c.change(), c.username(), c.before(), c.after(), null, null);
        }
        for (AuditReport.UnresolvedUname u : r.unresolvedUnames()) {
            csv.row("unresolved_uname", net, r.snapshotDate(), u.uname(), u.field(), null, null, null, u.reason(), null);
        }
        for (Map.Entry<String, Long> e : r.reinvitationCounts().entrySet()) {
            csv.row("reinvitation_count", net, r.snapshotDate(), null, e.getKey(), null, null, null, null, e.getValue());
        }
        for (AuditReport.Reinvitation x : r.reinvitations()) {
            csv.row("reinvitation", net, r.snapshotDate(), x.userId(), x.dryRun() ? "DRY_RUN" : x.outcome(), null, null, null,
                    reinvitationDetail(x), x.sent());
        }
        for (AuditReport.ReconcileWarning x : r.reconcileWarnings()) {
            csv.row("reconcile_warning", net, x.snapshotDate(), null, "warned", null, null, null, x.detail(), null);
        }
        for (AuditReport.Retraction x : r.retractions()) {
            csv.row("retraction", net, x.snapshotDate(), x.retractedAt(), "retracted", x.retractedBy(), null, null, x.reason(), null);
        }
    }

    private static String auditHtml(AuditReport r, Provenance provenance) {
        Html h = new Html("Audit of network " + r.networkId() + " as of " + r.asOf());
        h.el("h1", null, "Audit of network " + r.networkId());
        h.el("p", "meta", "Roster as of the snapshot of " + r.snapshotDate() + " (asked for " + r.asOf() + "); every change "
                + (r.sinceSnapshotDate() == null ? "since the first snapshot (which observed everyone joining)"
                        : "observed by the snapshots after that of " + r.sinceSnapshotDate()) + ", each on the snapshot that first saw it.");
        AuditReport.Bots bots = r.bots();
        h.el("p", "meta", bots.unlisted()
                ? "The roster counts hold no bots: ListUsers listed none, and the service counts " + fmt(bots.reported() == null ? 0 : bots.reported())
                        + " apart (GetBotsCount)."
                : "The roster counts include the network's bots (" + fmt(bots.listed()) + ", shown on their own line"
                        + (bots.reported() == null ? "" : "; GetBotsCount reported " + fmt(bots.reported())) + ").");
        for (AuditReport.Retraction x : r.retractionsInWindow()) {
            h.el("p", "alert", "A snapshot in this window was retracted: the snapshot of " + x.snapshotDate() + ", on " + x.retractedAt()
                    + (x.reason() == null ? "" : " (" + x.reason() + ")") + ". It counts for nothing: the changes below are those the other "
                    + "snapshots observed.");
        }
        hashHtml(h, provenance, "It covers the roster counts, every change, unresolved uname, re-invitation, reconcile warning and "
                + "retraction of this report.");
        if (r.changes().size() > Html.MAX_LIST_ROWS) {
            String csv = provenance.csvFile() == null ? "the CSV" : "<a href=\"" + Html.esc(provenance.csvFile()) + "\">" + Html.esc(provenance.csvFile()) + "</a>";
            h.raw("<p class=\"alert\">" + Html.esc(String.format(java.util.Locale.ROOT, "The list of changes below shows the first %,d of %,d; ",
                    Html.MAX_LIST_ROWS, r.changes().size())) + csv + " holds every one.</p>\n");
        }
        h.el("h2", null, "Roster");
        Map<String, Long> now = summaryFacts(r.summary());
        Map<String, Long> before = r.sinceSummary() == null ? null : summaryFacts(r.sinceSummary());
        List<List<Object>> roster = new ArrayList<>();
        now.forEach((k, v) -> roster.add(before == null ? List.of(label(k), fmt(v))
                : List.of(label(k), fmt(before.get(k)), fmt(v), signed(v - before.get(k)))));
        h.table("roster", before == null ? List.of("", String.valueOf(r.snapshotDate()))
                : List.of("", String.valueOf(r.sinceSnapshotDate()), String.valueOf(r.snapshotDate()), "Net change"), roster);
        h.el("h2", null, "Changes");
        List<String[]> counts = new ArrayList<>();
        r.changeCounts().forEach((k, v) -> counts.add(new String[] {label(k), fmt(v)}));
        h.facts(counts);
        h.table("changes", List.of("Snapshot", "User id", "Username", "Change", "Before", "After"),
                r.changes().stream().map(c -> List.<Object>of(c.snapshotDate(), c.userId(), nz(c.username()), label(c.change()),
                        nz(c.before()), nz(c.after()))).toList(), provenance.csvFile());
        h.el("h2", null, "Unresolved unames (as of the snapshot of " + r.snapshotDate() + ")");
        h.table("unresolved", List.of("Uname", "Field", "Last failure"),
                r.unresolvedUnames().stream().map(u -> List.<Object>of(u.uname(), u.field(), nz(u.reason()))).toList());
        h.el("h2", null, "Re-invitations");
        List<String[]> outcomes = new ArrayList<>();
        r.reinvitationCounts().forEach((k, v) -> outcomes.add(new String[] {k.toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + " (users, last outcome)", fmt(v)}));
        h.facts(outcomes);
        h.table("reinvitations", List.of("User id", "Sent", "Snapshots", "Last outcome", "Detail"),
                r.reinvitations().stream().map(x -> List.<Object>of(x.userId(), x.sent(), x.dates(),
                        x.dryRun() ? "dry run (nothing sent)" : x.outcome(), nz(reinvitationDetail(x)))).toList());
        h.el("h2", null, "Snapshots published although their counts did not reconcile");
        h.table("reconcile-warnings", List.of("Snapshot", "How the counts differed"),
                r.reconcileWarnings().stream().map(x -> List.<Object>of(x.snapshotDate(), nz(x.detail()))).toList());
        h.el("h2", null, "Retracted snapshots");
        h.table("retractions", List.of("Snapshot", "Retracted at", "By", "Reason"),
                r.retractions().stream().map(x -> List.<Object>of(x.snapshotDate(), x.retractedAt(), nz(x.retractedBy()), nz(x.reason())))
                        .toList());
        provenanceHtml(h, provenance);
        return h.end();
    }

    static Map<String, Long> summaryFacts(AuditReport.Summary s) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("users", s.users());
        m.put("bots", s.bots());
        m.put("active", s.active());
        m.put("pending", s.pending());
        m.put("suspended", s.suspended());
        m.put("admins", s.admins());
        m.put("otp_off", s.otpOff());
        m.put("expired_invitations", s.expiredInvitations());
        return m;
    }

    /** The snapshot dates, and the last failure's field and reason. */
    private static String reinvitationDetail(AuditReport.Reinvitation x) {
        String why = x.field() == null && x.reason() == null ? ""
                : "; " + (x.field() == null ? "" : x.field() + ": ") + (x.reason() == null ? "" : x.reason());
        return x.dates() + why;
    }

    private static String signed(long v) {
        return (v > 0 ? "+" : "") + fmt(v);
    }

    private static String label(String key) {
        if (key.equals("users")) {
            return "Users (bots included)";
        }
        String s = key.replace('_', ' ').replace("otp", "OTP");
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String fmt(long v) {
        return String.format(java.util.Locale.ROOT, "%,d", v);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
