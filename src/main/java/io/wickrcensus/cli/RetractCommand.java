package io.wickrcensus.cli;

import io.wickrcensus.job.CensusRetract;
import io.wickrcensus.report.ReportsDirectory;
import io.wickrcensus.job.run.RunSettings;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wickr-census retract}: undoes the latest published snapshot of a network. */
@Command(name = "retract", mixinStandardHelpOptions = true,
        description = "Undo the latest published snapshot of a network (its history versions and Parquet partitions), "
                + "recording when, why and by whom.")
public final class RetractCommand implements Callable<Integer> {

    @Option(names = "--network-id", required = true, description = "The network.")
    String networkId;

    @Option(names = "--as-of", required = true, description = "The snapshot date to retract (the network's latest published one).")
    String asOf;

    @Option(names = "--reason", required = true, description = "Why, for the auditors (recorded in census.runs).")
    String reason;

    @Option(names = "--reports-dir", description = "Rewrite the reports the retraction touches in this directory or s3://BUCKET/PREFIX, "
            + "as run --reports-dir wrote them (default: CENSUS_REPORTS_DIR; none: no reports are touched).")
    String reportsDir;

    @Mixin
    StorageOptions storage = new StorageOptions();

    @Override
    public Integer call() {
        Environment env = Environment.current();
        String problem = io.wickrcensus.api.WickrAdminClient.networkIdProblem(networkId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        LocalDate date;
        try {
            date = LocalDate.parse(asOf);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("--as-of: '" + asOf + "' is not a date in the form YYYY-MM-DD");
        }
        if (reason.isBlank()) {
            throw new IllegalArgumentException("--reason must say why the snapshot is retracted");
        }
        String reports = reportsDir != null ? reportsDir : env.get(Environment.REPORTS_DIR);
        var datasets = storage.parquet(env, env.region(null));
        var iceberg = storage.iceberg(env, datasets);
        if (reports == null) {
            return CensusRetract.execute(storage.database(env), env.roles(), datasets, iceberg, networkId, date, reason.strip(),
                    System.getProperty("user.name"), io.wickrcensus.job.AfterRetract.NONE);
        }
        try (ReportsDirectory dir = RunCommand.reportsDirectory(reportsDir != null ? "--reports-dir" : Environment.REPORTS_DIR, reports,
                env, env.region(null))) {
            return CensusRetract.execute(storage.database(env), env.roles(), datasets, iceberg, networkId, date, reason.strip(),
                    System.getProperty("user.name"), dir);
        }
    }
}
