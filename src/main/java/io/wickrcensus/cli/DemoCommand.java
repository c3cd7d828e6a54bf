package io.wickrcensus.cli;

import io.wickrcensus.job.run.ExitCodes;
import io.wickrcensus.emulator.EmulatorConfig;
import io.wickrcensus.emulator.WickrEmulator;
import io.wickrcensus.job.CensusRun;
import io.wickrcensus.job.run.ReinviteSettings;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.db.DatabaseLocation;
import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.RunMetrics;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.report.AuditReport;
import io.wickrcensus.report.GuestBillingReport;
import io.wickrcensus.report.ReportFormat;
import io.wickrcensus.report.ReportWriter;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code wickr-census demo}: the whole product on embedded defaults. It starts the emulator with a
 * seeded network, an embedded PostgreSQL in {@code ./census-demo/}, runs the job for a few nights
 * with churn between them, and says where everything is.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the job for a few simulated nights against the bundled emulator and an embedded PostgreSQL.")
public final class DemoCommand implements Callable<Integer> {

    private static final String ACCESS_KEY = "AKIDDEMO";
    private static final String SECRET = "demo-secret";

    @Option(names = "--dir", defaultValue = "census-demo", description = "Where the demo keeps its database and datasets (default ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--users", defaultValue = "5000", description = "Users in the demo network (default ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--guests", defaultValue = "500", description = "Guests per billing period (default ${DEFAULT-VALUE}).")
    int guests;

    @Option(names = "--nights", defaultValue = "3", description = "Nights to snapshot, ending today (default ${DEFAULT-VALUE}).")
    int nights;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the synthetic network (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--as-of", description = "Date of the last night, YYYY-MM-DD (default: today, UTC).")
    LocalDate asOf;

    @Option(names = "--wait", description = "Keep the database up after the demo, for psql, until Enter is pressed.")
    boolean waitForEnter;

    @Override
    public Integer call() throws Exception {
        if (nights < 1 || nights > 31) {
            throw new IllegalArgumentException("--nights must be between 1 and 31");
        }
        PrintStream out = System.out;
        LocalDate today = asOf != null ? asOf : LocalDate.now(ZoneOffset.UTC);
        LocalDate first = today.minusDays(nights - 1L);
        // the emulator serves a year of billing periods: the first night captures them all (a backfill),
        // later nights the current month and the one before, as a nightly run does by default
        List<YearMonth> year = new java.util.ArrayList<>();
        for (int m = 11; m >= 0; m--) {
            year.add(YearMonth.from(today).minusMonths(m));
        }
        List<YearMonth> periods = year.subList(10, 12);
        Path parquet = dir.resolve("parquet").toAbsolutePath();
        Path reports = dir.resolve("reports").toAbsolutePath();
        io.wickrcensus.report.ReportsDirectory nightly = new io.wickrcensus.report.ReportsDirectory(reports, ReportCommand.DEFAULT_GRACE_DAYS);
        try (WickrEmulator emulator = WickrEmulator.start(EmulatorConfig.builder().seed(seed).users(users).guests(guests).guestVariation(true)
                     .periods(year).accessKey(ACCESS_KEY).secretKey(SECRET).build());
             DatabaseLocation db = DatabaseLocation.startEmbedded(dir.resolve("postgres").toAbsolutePath())) {
            String network = emulator.networkIds().get(0);
            out.println(emulator.describe());
            int code = ExitCodes.OK;
            for (int n = 0; n < nights; n++) {
                LocalDate night = first.plusDays(n);
                if (n > 0) {
                    emulator.advanceDays(network, 1);
                }
                // a night covers no period after its own month: the first nights of a month come after
                // the end of the previous one
                YearMonth month = YearMonth.from(night);
                List<YearMonth> covered = n == 0 ? year.stream().filter(p -> !p.isAfter(month)).toList()
                        : List.of(month.minusMonths(1), month);
                RunSettings settings = RunSettings.builder().networkId(network).asOf(night).billingPeriodMonths(covered)
                        .endpoint(emulator.endpoint()).parallelism(1).unameConcurrency(4)
                        .database(DatabaseSettings.embedded(dir.resolve("postgres").toAbsolutePath()))
                        .reinvite(ReinviteSettings.of(ReinviteSettings.Mode.DRY_RUN))
                        .parquet(ParquetSettings.DEFAULT.withOutputDir(parquet))
                        .iceberg(io.wickrcensus.iceberg.IcebergSettings.jdbc(new io.wickrcensus.parquet.FileRoot.Directory(parquet)))
                        .build();
                int exit = CensusRun.execute(settings, StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET)),
                        db, new RunMetrics(), nightly); // the reports of each night, as run --reports-dir writes them
                out.println("night " + night + ": exit " + exit + (exit == ExitCodes.ALREADY_COMPLETE ? " (already snapshotted)" : ""));
                if (exit != ExitCodes.OK && exit != ExitCodes.ALREADY_COMPLETE) {
                    code = exit;
                    break;
                }
            }
            if (code == ExitCodes.OK) {
                code = writeReports(db, network, first, today, periods, reports);
            }
            out.println();
            out.println("Snapshots of network " + network + " for " + first + " to " + today + ":");
            out.println("  PostgreSQL (embedded): " + DatabaseLocation.redact(db.url()) + " (data in " + dir.resolve("postgres") + ")");
            out.println("  Parquet datasets:      " + parquet);
            out.println("  Iceberg tables:        " + parquet.resolve(io.wickrcensus.iceberg.IcebergSettings.WAREHOUSE_DIR)
                    + " (catalog: the database's schema iceberg_catalog; one tag per night, " + network + "@YYYY-MM-DD)");
            out.println("  Reports:               " + reports + " (guest billing per period, audit; csv, json and html)");
            out.println("  Reports index:         " + nightly.index() + " (each night's reports, as run --reports-dir writes them)");
            printAfterTheDemo(out, network, first, today, periods, dir.resolve("postgres").toAbsolutePath(), parquet, waitForEnter
                    ? db.url().replaceAll(".*:(\\d+)/.*", "$1") : null);
            out.flush();
            if (waitForEnter) {
                out.println("Press Enter to stop the database.");
                System.in.read();
            }
            return code;
        }
    }

    /**
     * Commands that work as pasted on this demo's own output: its network, its dates, its data
     * directory, and the jar that is running.
     */
    static void printAfterTheDemo(PrintStream out, String network, LocalDate first, LocalDate today, List<YearMonth> periods,
                                  Path postgres, Path parquet, String port) {
        String jar = "java -jar " + runningJar();
        String month = periods.get(periods.size() - 1).toString();
        out.println();
        out.println("After the demo (copy and paste, from this directory):");
        out.println("  Reports, read straight from the demo's database (it starts and stops it):");
        out.println("    " + jar + " report guest-billing --period " + month + " --network-id " + network + " --data-dir " + postgres
                + " --format html --out guest-billing-" + month + ".html");
        out.println("    " + jar + " report audit --network-id " + network + " --as-of " + today + " --since " + first + " --data-dir "
                + postgres);
        if (port == null) {
            out.println("  psql: start the database (it prints its port; Enter stops it), then in another shell, with that port:");
            out.println("    " + jar + " db --data-dir " + postgres);
        } else {
            out.println("  psql, while this demo waits:");
        }
        String psql = "    psql -h localhost -p " + (port == null ? "PORT" : port) + " -U postgres -d postgres -c ";
        out.println(psql + "\"SELECT snapshot_date, change, count(*) FROM census.user_changes WHERE network_id = '" + network
                + "' GROUP BY 1, 2 ORDER BY 1, 2\"");
        out.println(psql + "\"SELECT user_id, username FROM census.roster_as_of('" + network + "', '" + today + "') WHERE is_admin\"");
        out.println(psql + "\"SELECT kind, count(*) FROM census.user_events('" + network + "', '" + first + "', '" + today
                + "') GROUP BY 1 ORDER BY 1\"");
        out.println("  Parquet: any Parquet reader (Spark, Athena, parquet-cli); the DuckDB CLI is one binary from duckdb.org, for example:");
        out.println("    duckdb -c \"SELECT snapshot_date, count(*) FROM read_parquet('" + parquet
                + "/users/**/*.parquet', hive_partitioning=true) GROUP BY 1 ORDER BY 1\"");
        out.println("  Iceberg: Spark in local mode, from a checkout of this repository (its first use fetches Spark), with the database "
                + (port == null ? "started as for psql" : "waiting") + "; the roster of " + today + " through that night's tag:");
        out.println("    src/test/spark/sql \"jdbc:postgresql://localhost:" + (port == null ? "PORT" : port)
                + "/postgres?currentSchema=iceberg_catalog\" postgres \"\" " + io.wickrcensus.iceberg.LocalFileIO.location(
                        parquet.resolve(io.wickrcensus.iceberg.IcebergSettings.WAREHOUSE_DIR)) + " \"SELECT snapshot_date, status, count(*) "
                + "FROM census.wickr_census.users VERSION AS OF '" + io.wickrcensus.iceberg.Lake.tag(network, today)
                + "' WHERE network_id = '" + network + "' GROUP BY 1, 2 ORDER BY 1, 2\"");
    }

    /** How this process was launched: the jar it runs from (relative to the working directory when inside it). */
    static String runningJar() {
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            if (jar.toString().endsWith(".jar")) {
                Path here = Path.of("").toAbsolutePath();
                return jar.startsWith(here) ? here.relativize(jar).toString() : jar.toString();
            }
        } catch (Exception e) {
            // below
        }
        return "target/wickr-census.jar";
    }

    /** Guest billing for the two periods the nightly runs cover, and the audit of the last night against the first. */
    private static int writeReports(DatabaseLocation db, String network, LocalDate first, LocalDate today, List<YearMonth> periods, Path reports) {
        int code = ExitCodes.OK;
        for (ReportFormat f : ReportFormat.values()) {
            for (YearMonth p : periods) {
                code = ExitCodes.worst(code, ReportCommand.report(db, reports.resolve("guest-billing-" + p + "." + f.extension()), false,
                        c -> GuestBillingReport.load(c, p, network, ReportCommand.DEFAULT_GRACE_DAYS), r -> null, ReportWriter::write, f));
            }
            code = ExitCodes.worst(code, ReportCommand.report(db, reports.resolve("audit-" + network + "-" + today + "." + f.extension()), false,
                    c -> AuditReport.load(c, network, today, first), r -> null, ReportWriter::write, f));
        }
        return code;
    }
}
