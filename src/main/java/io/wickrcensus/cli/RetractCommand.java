package io.wickrcensus.cli;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.CensusRetract;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.ParquetSettings;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = "--parquet", defaultValue = "on", description = "Remove the snapshot's Parquet partitions: on or off (default ${DEFAULT-VALUE}).")
    String parquet;

    @Option(names = "--output-dir", description = "Root of the Parquet datasets (default: CENSUS_OUTPUT_DIR, else "
            + ParquetSettings.DEFAULT_OUTPUT_DIR + ").")
    Path outputDir;

    @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set "
            + "(default: CENSUS_DATA_DIR, else " + DatabaseSettings.DEFAULT_DATA_DIR + ").")
    Path dataDir;

    @Override
    public Integer call() {
        Map<String, String> env = System.getenv();
        if (!RunSettings.NETWORK_ID.matcher(networkId).matches()) {
            throw new IllegalArgumentException("network id '" + networkId + "' must be exactly 8 characters (letters, digits, '-' or '_')");
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
        if (!parquet.equals("on") && !parquet.equals("off")) {
            throw new IllegalArgumentException("--parquet must be on or off, got '" + parquet + "'");
        }
        Path out = outputDir != null ? outputDir : Path.of(env.getOrDefault("CENSUS_OUTPUT_DIR", ParquetSettings.DEFAULT_OUTPUT_DIR));
        return CensusRetract.execute(
                DatabaseSettings.fromEnvironment(env, DatabaseSettings.dataDir(dataDir, env)),
                new RunSettings.Roles(env.get("CENSUS_AUDITOR_ROLE"), env.get("CENSUS_FINANCE_ROLE")),
                ParquetSettings.DEFAULT.withEnabled(parquet.equals("on")).withOutputDir(out),
                networkId, date, reason.strip(), System.getProperty("user.name"));
    }
}
