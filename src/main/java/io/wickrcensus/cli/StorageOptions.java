package io.wickrcensus.cli;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.parquet.ParquetSettings;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a command finds the job's storage: the embedded database's data and the Parquet datasets (run, retract). */
final class StorageOptions {

    @Option(names = "--parquet", defaultValue = "on", description = "Write (retract: remove) the Parquet datasets: on or off (default ${DEFAULT-VALUE}).")
    String parquet;

    @Option(names = "--output-dir", description = "Root of the Parquet datasets (default: CENSUS_OUTPUT_DIR, else "
            + ParquetSettings.DEFAULT_OUTPUT_DIR + ").")
    Path outputDir;

    @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set "
            + "(default: CENSUS_DATA_DIR, else " + DatabaseSettings.DEFAULT_DATA_DIR + ").")
    Path dataDir;

    /** The database the options and the environment name. */
    DatabaseSettings database(Map<String, String> env) {
        return DatabaseSettings.fromEnvironment(env, DatabaseSettings.dataDir(dataDir, env));
    }

    /** The documented Parquet defaults, on or off and rooted as the options and the environment say. */
    ParquetSettings parquet(Map<String, String> env) {
        if (!parquet.equals("on") && !parquet.equals("off")) {
            throw new IllegalArgumentException("--parquet must be on or off, got '" + parquet + "'");
        }
        Path dir = outputDir != null ? outputDir : Path.of(env.getOrDefault("CENSUS_OUTPUT_DIR", ParquetSettings.DEFAULT_OUTPUT_DIR));
        return ParquetSettings.DEFAULT.withEnabled(parquet.equals("on")).withOutputDir(dir);
    }
}
