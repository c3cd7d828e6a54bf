package io.wickrcensus.report;

import tools.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the reports as CSV (one table per report, a {@code record} column telling the kinds of
 * row apart), JSON (the report as one document) or a self-contained HTML page. CSV and JSON hold
 * nothing that depends on when they were written, so the same figures give the same bytes.
 */
public final class ReportWriter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ReportWriter() {
    }

    public static void write(GuestBillingReport r, ReportFormat format, Writer out) throws IOException {
        switch (format) {
            case JSON -> json(r, out);
            case CSV -> guestBillingCsv(r, out);
            case HTML -> out.write(guestBillingHtml(r));
        }
        out.flush();
    }

    public static void write(AuditReport r, ReportFormat format, Writer out) throws IOException {
        switch (format) {
            case JSON -> json(r, out);
            case CSV -> auditCsv(r, out);
            case HTML -> out.write(auditHtml(r));
        }
        out.flush();
    }

    private static void json(Object report, Writer out) throws IOException {
        // as a string: the mapper would close the caller's writer
        out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.write('\n');
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
            if (n.reconcileWarning() != null) {
                csv.row("reconcile_warning", n.networkId(), r.billingPeriod(), n.status(), n.snapshotDate(), null, null, null, null,
                        null, null, null, null, null);
            }
            for (GuestBillingReport.Retracted x : n.retracted()) {
                csv.row("retracted_snapshot", n.networkId(), r.billingPeriod(), "retracted", x.snapshotDate(), null, null, null, null,
                        null, null, null, null, null);
            }
        }
    }

    private static String guestBillingHtml(GuestBillingReport r) {
        Html h = new Html("Guest billing " + r.billingPeriod());
        h.el("h1", null, "Guest billing, " + r.billingPeriod());
        h.el("p", "meta", "A period is final once a snapshot taken on or after " + r.finalFrom() + " (" + r.graceDays()
                + " grace days after its end) has captured it; until then its figures are provisional.");
        if (r.networks().isEmpty()) {
            h.el("p", "note", "No published snapshot covers this period.");
        }
        for (GuestBillingReport.Network n : r.networks()) {
            h.raw("<section class=\"network\" data-network=\"" + Html.esc(n.networkId()) + "\">\n");
            h.raw("<h2>Network " + Html.esc(n.networkId()) + " <span class=\"badge " + n.status() + "\">" + n.status() + "</span></h2>\n");
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
            facts.add(new String[] {"New", fmt(n.newGuests())});
            facts.add(new String[] {"Returning", fmt(n.returningGuests())});
            facts.add(new String[] {"Gone", fmt(n.goneGuests())});
            h.facts(facts);
            h.el("h3", null, "Guest users per billing period");
            h.barChart("Guest users per billing period, network " + n.networkId(),
                    n.history().stream().map(GuestBillingReport.PeriodCount::billingPeriod).toList(),
                    n.history().stream().map(GuestBillingReport.PeriodCount::guests).toList());
            h.el("h3", null, "Guest users");
            List<List<Object>> rows = new ArrayList<>();
            for (GuestBillingReport.Guest g : n.guestList()) {
                rows.add(List.of(nz(g.username()), g.usernameHash(), g.change()));
            }
            h.table("guests", List.of("Username", "Username hash", "Change"), rows);
            h.raw("</section>\n");
        }
        return h.end();
    }

    // ---- audit

    static final List<String> AUDIT_CSV_HEADER = List.of("record", "network_id", "snapshot_date", "key", "kind", "username",
            "detail", "count");

    private static void auditCsv(AuditReport r, Writer out) throws IOException {
        Csv csv = new Csv(out).row(AUDIT_CSV_HEADER.toArray());
        String net = r.networkId();
        for (Map.Entry<String, Long> e : summaryFacts(r.summary()).entrySet()) {
            csv.row("summary", net, r.snapshotDate(), null, e.getKey(), null, null, e.getValue());
        }
        for (Map.Entry<String, Long> e : r.changeCounts().entrySet()) {
            csv.row("change_count", net, r.snapshotDate(), null, e.getKey(), null, r.sinceSnapshotDate(), e.getValue());
        }
        for (AuditReport.Change c : r.changes()) {
            csv.row("change", net, r.snapshotDate(), c.userId(), c.change(), c.username(), r.sinceSnapshotDate(), null);
        }
        for (AuditReport.UnresolvedUname u : r.unresolvedUnames()) {
            csv.row("unresolved_uname", net, null, u.uname(), u.field(), null, u.reason(), null);
        }
        for (Map.Entry<String, Long> e : r.reinvitationCounts().entrySet()) {
            csv.row("reinvitation_count", net, r.snapshotDate(), null, e.getKey(), null, null, e.getValue());
        }
        for (AuditReport.Reinvitation x : r.reinvitations()) {
            csv.row("reinvitation", net, x.snapshotDate(), x.userId(), x.outcome(), null, detail(x), null);
        }
        for (AuditReport.ReconcileWarning x : r.reconcileWarnings()) {
            csv.row("reconcile_warning", net, x.snapshotDate(), null, "warned", null, x.detail(), null);
        }
        for (AuditReport.Retraction x : r.retractions()) {
            csv.row("retraction", net, x.snapshotDate(), x.retractedAt(), "retracted", x.retractedBy(), x.reason(), null);
        }
    }

    private static String auditHtml(AuditReport r) {
        Html h = new Html("Audit of network " + r.networkId() + " as of " + r.asOf());
        h.el("h1", null, "Audit of network " + r.networkId());
        h.el("p", "meta", "Roster as of the snapshot of " + r.snapshotDate() + " (asked for " + r.asOf() + "); changes "
                + (r.sinceSnapshotDate() == null ? "since the first snapshot (everyone joined)" : "since the snapshot of " + r.sinceSnapshotDate()) + ".");
        h.el("h2", null, "Roster");
        List<String[]> facts = new ArrayList<>();
        summaryFacts(r.summary()).forEach((k, v) -> facts.add(new String[] {label(k), fmt(v)}));
        h.facts(facts);
        h.el("h2", null, "Changes");
        List<String[]> counts = new ArrayList<>();
        r.changeCounts().forEach((k, v) -> counts.add(new String[] {label(k), fmt(v)}));
        h.facts(counts);
        h.table("changes", List.of("User id", "Change", "Username"),
                r.changes().stream().map(c -> List.<Object>of(c.userId(), label(c.change()), nz(c.username()))).toList());
        h.el("h2", null, "Unresolved unames (latest snapshot)");
        h.table("unresolved", List.of("Uname", "Field", "Last failure"),
                r.unresolvedUnames().stream().map(u -> List.<Object>of(u.uname(), u.field(), nz(u.reason()))).toList());
        h.el("h2", null, "Re-invitations");
        List<String[]> outcomes = new ArrayList<>();
        r.reinvitationCounts().forEach((k, v) -> outcomes.add(new String[] {k.toLowerCase(java.util.Locale.ROOT).replace('_', ' '), fmt(v)}));
        h.facts(outcomes);
        h.table("reinvitations", List.of("Snapshot", "User id", "Outcome", "Detail"),
                r.reinvitations().stream().map(x -> List.<Object>of(x.snapshotDate(), x.userId(), x.outcome(), nz(detail(x)))).toList());
        h.el("h2", null, "Snapshots published although their counts did not reconcile");
        h.table("reconcile-warnings", List.of("Snapshot", "How the counts differed"),
                r.reconcileWarnings().stream().map(x -> List.<Object>of(x.snapshotDate(), nz(x.detail()))).toList());
        h.el("h2", null, "Retracted snapshots");
        h.table("retractions", List.of("Snapshot", "Retracted at", "By", "Reason"),
                r.retractions().stream().map(x -> List.<Object>of(x.snapshotDate(), x.retractedAt(), nz(x.retractedBy()), nz(x.reason())))
                        .toList());
        return h.end();
    }

    static Map<String, Long> summaryFacts(AuditReport.Summary s) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("users", s.users());
        m.put("active", s.active());
        m.put("pending", s.pending());
        m.put("suspended", s.suspended());
        m.put("admins", s.admins());
        m.put("otp_off", s.otpOff());
        m.put("expired_invitations", s.expiredInvitations());
        return m;
    }

    private static String detail(AuditReport.Reinvitation x) {
        if (x.field() == null && x.reason() == null) {
            return null;
        }
        return (x.field() == null ? "" : x.field() + ": ") + (x.reason() == null ? "" : x.reason());
    }

    private static String label(String key) {
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
