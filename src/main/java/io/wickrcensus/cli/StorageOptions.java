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

    @Option(names = "--iceberg", description = "Commit (retract: retract) each night to the Iceberg tables: on or off (default: "
            + "CENSUS_ICEBERG, else on).")
    String iceberg;

    @Option(names = "--catalog", description = "The Iceberg catalog: jdbc (the job's own PostgreSQL, the warehouse under --output-dir) "
            + "or rest (S3 Tables, Glue, Polaris, Nessie, ...; with --catalog-uri) (default: CENSUS_CATALOG, else jdbc).")
    String catalog;

    @Option(names = "--catalog-uri", description = "The REST catalog's URI (default: CENSUS_CATALOG_URI).")
    String catalogUri;

    @Option(names = "--iceberg-expire-days", description = "Expire the tables' untagged snapshots older than this; every night's tagged "
            + "one is kept (default ${DEFAULT-VALUE}).", defaultValue = "" + io.wickrcensus.iceberg.IcebergSettings.DEFAULT_EXPIRE_DAYS)
    int icebergExpireDays;

    @Option(names = "--iceberg-compact-files", description = "Compact a network's partition of unames or user_events holding more files "
            + "than this (default ${DEFAULT-VALUE}).", defaultValue = "" + io.wickrcensus.iceberg.IcebergSettings.DEFAULT_COMPACT_FILES)
    int icebergCompactFiles;

    @Option(names = "--data-dir", description = "Data directory of the embedded PostgreSQL, used when CENSUS_DB_URL is not set "
            + "(default: CENSUS_DATA_DIR, else " + DatabaseSettings.DEFAULT_DATA_DIR + ").")
    Path dataDir;

    /**
     * The Iceberg tables as the options and the environment say: on unless turned off, in the JDBC
     * catalog with the warehouse under the datasets' root, or in a REST catalog; Iceberg's own catalog
     * properties from {@code CENSUS_ICEBERG_*} ({@link Environment#icebergProperties}).
     */
    io.wickrcensus.iceberg.IcebergSettings iceberg(Environment env, ParquetSettings datasets) {
        boolean on = iceberg != null ? OnOff.parse("--iceberg", iceberg) : env.onOff(Environment.ICEBERG, true);
        String cat = catalog != null ? catalog : env.get(Environment.CATALOG);
        String uri = catalogUri != null ? catalogUri : env.get(Environment.CATALOG_URI);
        return new io.wickrcensus.iceberg.IcebergSettings(on, cat, uri, datasets.root(), env.icebergProperties(), icebergExpireDays,
                icebergCompactFiles);
    }

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
