package io.wickrcensus.cli;

import io.wickrcensus.db.DatabaseSettings;
import io.wickrcensus.job.run.RunSettings;
import io.wickrcensus.parquet.ParquetSettings;
import io.wickrcensus.parquet.S3Target;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a command finds the job's storage: the embedded database's data and the Parquet datasets (run, retract). */
final class StorageOptions {

    @Option(names = "--parquet", defaultValue = "on", description = "Write (retract: remove) the Parquet datasets: on or off (default ${DEFAULT-VALUE}).")
    String parquet;

    @Option(names = "--output-dir", description = "Root of the Parquet datasets: a directory or s3://BUCKET/PREFIX "
            + "(default: CENSUS_OUTPUT_DIR, else " + ParquetSettings.DEFAULT_OUTPUT_DIR + ").")
    String outputDir;

    @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set "
            + "(default: CENSUS_DATA_DIR, else " + DatabaseSettings.DEFAULT_DATA_DIR + ").")
    Path dataDir;

    /** The database the options and the environment name. */
    DatabaseSettings database(Map<String, String> env) {
        return DatabaseSettings.fromEnvironment(env, DatabaseSettings.dataDir(dataDir, env));
    }

    /**
     * The documented Parquet defaults, on or off and rooted as the options and the environment say:
     * in a directory, or on S3 in CENSUS_S3_REGION, else {@code jobRegion} (null: the job's default region).
     */
    ParquetSettings parquet(Map<String, String> env, String jobRegion) {
        if (!parquet.equals("on") && !parquet.equals("off")) {
            throw new IllegalArgumentException("--parquet must be on or off, got '" + parquet + "'");
        }
        String location = outputDir != null ? outputDir : env.getOrDefault("CENSUS_OUTPUT_DIR", ParquetSettings.DEFAULT_OUTPUT_DIR);
        ParquetSettings base = ParquetSettings.DEFAULT.withEnabled(parquet.equals("on"));
        return S3Target.isS3(location)
                ? base.withS3(S3Target.parse(location, env, jobRegion != null ? jobRegion : RunSettings.DEFAULT_REGION))
                : base.withOutputDir(Path.of(location));
    }

    /** The job's AWS region: the option, else AWS_REGION, else AWS_DEFAULT_REGION; null when none is set. */
    static String region(String option, Map<String, String> env) {
        if (option != null) {
            return option;
        }
        for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
            String v = env.get(name);
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
