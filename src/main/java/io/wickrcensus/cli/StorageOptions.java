package io.wickrcensus.cli;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.ParquetSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where a command finds the job's storage: the embedded database's data and the Parquet datasets (run, retract). */
final class StorageOptions {

    @Option(names = "--parquet", defaultValue = OnOff.ON, description = "Write (retract: remove) the Parquet datasets: on or off (default ${DEFAULT-VALUE}).")
    String parquet;

    @Option(names = "--output-dir", description = "Root of the Parquet datasets: a directory or s3://BUCKET/PREFIX "
            + "(default: CENSUS_OUTPUT_DIR, else " + ParquetSettings.DEFAULT_OUTPUT_DIR + ").")
    String outputDir;

    @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set "
            + "(default: CENSUS_DATA_DIR, else " + DatabaseSettings.DEFAULT_DATA_DIR + ").")
    Path dataDir;

    /** The database the options and the environment name. */
    DatabaseSettings database(Environment env) {
        return env.database(env.dataDir(dataDir));
    }

    /**
     * The documented Parquet defaults, on or off and rooted as the options and the environment say:
     * in a directory, or on S3 in CENSUS_S3_REGION, else {@code jobRegion} (null: the job's default region).
     */
    ParquetSettings parquet(Environment env, String jobRegion) {
        boolean on = OnOff.parse("--parquet", parquet);
        String location = outputDir != null ? outputDir : env.outputDir(ParquetSettings.DEFAULT_OUTPUT_DIR);
        return ParquetSettings.DEFAULT.withEnabled(on).withRoot(env.root(outputDir != null ? "--output-dir" : Environment.OUTPUT_DIR,
                location, jobRegion != null ? jobRegion : RunSettings.DEFAULT_REGION));
    }
}
