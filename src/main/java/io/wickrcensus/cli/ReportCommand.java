package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.api.model.BillingPeriod;
import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.support.FileProblems;
import io.wickrcensus.report.AuditReport;
import io.wickrcensus.report.GuestBillingReport;
import io.wickrcensus.report.ReportFormat;
import io.wickrcensus.report.ReportWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wickr-census report guest-billing|audit}: reports read from the published snapshots. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write a report from the published snapshots: guest-billing for finance, audit for auditors.",
        subcommands = {ReportCommand.GuestBilling.class, ReportCommand.Audit.class})
public final class ReportCommand implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReportCommand.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Options every report takes. */
    static final class Common {
        @Option(names = "--format", defaultValue = "csv", description = "csv, json or html (default ${DEFAULT-VALUE}).")
        String format;

        @Option(names = "--out", description = "Write the report to this file (atomically) instead of standard output. "
                + "The file's mode follows the umask; reports hold personal data (usernames).")
        Path out;

        @Option(names = "--private", description = "Make the --out file readable by its owner only (mode 0600).")
        boolean privateFile;

        @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set "
                + "(default: CENSUS_DATA_DIR, else " + DatabaseSettings.DEFAULT_DATA_DIR + ").")
        Path dataDir;
    }

    /** Loads a report from a connection. */
    interface Loader<R> {
        R load(Connection c) throws SQLException;
    }

    /** Writes a loaded report. */
    interface Renderer<R> {
        void write(R report, ReportFormat format, Writer out) throws IOException;
    }

    @Command(name = "guest-billing", mixinStandardHelpOptions = true,
            description = "Distinct guest users of a billing period per network, final or provisional, against the period before.")
    static final class GuestBilling implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--period", required = true, description = "The billing period, YYYY-MM.")
        String period;

        @Option(names = "--network-id", description = "One network (default: every network with a snapshot covering the period).")
        String networkId;

        @Option(names = "--grace-days", description = "Days after a period's end before a snapshot makes it final "
                + "(default: CENSUS_GRACE_DAYS, else " + DEFAULT_GRACE_DAYS + ").")
        Integer graceDays;

        @Override
        public Integer call() {
            Environment env = Environment.current();
            YearMonth p;
            try {
                p = BillingPeriod.parse(period);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--period: " + e.getMessage());
            }
            int grace = graceDays != null ? graceDays : env.graceDays(DEFAULT_GRACE_DAYS);
            ReportFormat f = ReportFormat.parse(common.format);
            return report(env.database(env.dataDir(common.dataDir)), common.out, common.privateFile,
                    c -> GuestBillingReport.load(c, p, networkId, grace),
                    r -> r.networks().isEmpty() ? (networkId == null ? "no network has" : "network " + networkId + " has no")
                            + " published snapshot covering billing period " + p + "; run the job for it first" : null,
                    (r, fmt, w) -> ReportWriter.write(r, fmt, w), f);
        }
    }

    static final int DEFAULT_GRACE_DAYS = 3;

    @Command(name = "audit", mixinStandardHelpOptions = true,
            description = "Roster summary as of a date, changes since an earlier one, unresolved unames and re-invitations.")
    static final class Audit implements Callable<Integer> {
        @Mixin
        Common common = new Common();

        @Option(names = "--network-id", required = true, description = "The network.")
        String networkId;

        @Option(names = "--as-of", description = "The date, YYYY-MM-DD (default: today, UTC): the latest snapshot on or before it.")
        String asOf;

        @Option(names = "--since", description = "Report changes since this date, YYYY-MM-DD (default: the snapshot before).")
        String since;

        @Override
        public Integer call() {
            LocalDate to = asOf == null ? LocalDate.now(ZoneOffset.UTC) : date("--as-of", asOf);
            LocalDate from = since == null ? null : date("--since", since);
            ReportFormat f = ReportFormat.parse(common.format);
            Environment env = Environment.current();
            return report(env.database(env.dataDir(common.dataDir)), common.out, common.privateFile,
                    c -> AuditReport.load(c, networkId, to, from), r -> null,
                    (r, fmt, w) -> ReportWriter.write(r, fmt, w), f);
        }
    }

    static LocalDate date(String option, String value) {
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + ": '" + value + "' is not a date in the form YYYY-MM-DD");
        }
    }

    /**
     * Opens the database (without migrating it: a report never changes anything), loads the report
     * and writes it; returns the exit code.
     */
    static <R> int report(DatabaseSettings database, Path out, boolean privateFile, Loader<R> loader,
                          java.util.function.Function<R, String> empty, Renderer<R> renderer, ReportFormat format) {
        // a report never creates a database: without a configured one, the job's embedded data must exist
        if (!database.configured() && !Files.exists(database.embeddedDataDir().resolve("PG_VERSION"))) {
            log.error("no census database: {} holds no embedded PostgreSQL; set CENSUS_DB_URL or --data-dir to the job's database",
                    database.embeddedDataDir().toAbsolutePath());
            return ExitCodes.BAD_CONFIGURATION;
        }
        try (DatabaseLocation db = DatabaseLocation.resolve(database)) {
            return report(db, out, privateFile, loader, empty, renderer, format);
        } catch (DatabaseLocation.DatabaseInUseException e) {
            log.error("{}; run the report when the job has finished, or point CENSUS_DB_URL at a PostgreSQL server", e.getMessage());
            return ExitCodes.CONCURRENT_LAUNCH;
        } catch (DatabaseLocation.DatabaseUnavailableException e) {
            log.error(e.getMessage());
            return ExitCodes.of(e);
        }
    }

    /** Loads and writes a report from a database the caller holds open. */
    public static <R> int report(DatabaseLocation db, Path out, boolean privateFile, Loader<R> loader,
                                 java.util.function.Function<R, String> empty, Renderer<R> renderer, ReportFormat format) {
        if (out != null) {
            Path abs = out.toAbsolutePath();
            String problem = Files.isDirectory(abs) ? "it is a directory" : FileProblems.unwritableDirectory(abs.getParent());
            if (problem != null) {
                log.error("--out {} cannot be written: {}", out, problem);
                return ExitCodes.BAD_CONFIGURATION;
            }
        }
        R report;
        try (Connection c = db.connect()) {
            c.setReadOnly(true);
            c.setAutoCommit(false);
            // one snapshot of the database for every query of the report
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            report = loader.load(c);
            c.rollback();
        } catch (AuditReport.NoSnapshotException e) {
            log.error(e.getMessage());
            return ExitCodes.NO_DATA;
        } catch (SQLException e) {
            String state = e.getSQLState();
            if ("3F000".equals(state) || "42P01".equals(state) || "42883".equals(state)) {
                log.error("the database at {} holds no census snapshots (the job has not run against it)", DatabaseLocation.redact(db.url()));
                return ExitCodes.NO_DATA;
            }
            if ("42501".equals(state)) {
                log.error("the database user may not read the report's views: grant it census_finance (guest billing) or census_auditor (audit)");
                return ExitCodes.BAD_CONFIGURATION;
            }
            log.error("reading the report failed: {}", e.getMessage());
            return ExitCodes.FAILED;
        }
        String missing = empty.apply(report);
        if (missing != null) {
            log.error(missing);
            return ExitCodes.NO_DATA;
        }
        try {
            if (out == null) {
                Writer w = new OutputStreamWriter(System.out, StandardCharsets.UTF_8);
                renderer.write(report, format, w);
                w.flush();
            } else {
                Path abs = out.toAbsolutePath();
                io.wickrcensus.support.AtomicFile.write(abs, privateFile, w -> renderer.write(report, format, w));
                log.info("report written to {}", abs);
            }
            return ExitCodes.OK;
        } catch (IOException e) {
            log.error("writing the report to {} failed: {}", out == null ? "standard output" : out, FileProblems.describe(e));
            return ExitCodes.FAILED;
        }
    }
}
