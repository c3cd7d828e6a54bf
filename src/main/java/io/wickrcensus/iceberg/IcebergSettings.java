package io.wickrcensus.iceberg;

import io.wickrcensus.parquet.FileRoot;
import io.wickrcensus.support.SettingException;
import java.util.Map;
import java.util.Objects;

/**
 * The Iceberg tables: whether they are written, which catalog holds them, and where their files go.
 *
 * @param enabled         write the tables ({@code --iceberg on|off}, {@code CENSUS_ICEBERG})
 * @param catalog         {@link #JDBC} (the job's own PostgreSQL) or {@link #REST} (S3 Tables, Glue, Polaris, Nessie, ...)
 * @param catalogUri      the REST catalog's URI; null for the JDBC catalog
 * @param warehouse       where the table files go: {@code iceberg/} under the datasets' root (a directory or an S3 prefix);
 *                        a REST catalog may say otherwise through its properties ({@code warehouse})
 * @param properties      Iceberg catalog properties passed as they are ({@code CENSUS_ICEBERG_*})
 * @param expireDays      untagged snapshots older than this are expired (tagged ones never are)
 * @param compactFiles    a partition of {@code unames} or {@code user_events} holding more files than this is compacted
 */
public record IcebergSettings(boolean enabled, String catalog, String catalogUri, FileRoot warehouse, Map<String, String> properties,
                              int expireDays, int compactFiles) {

    public static final String JDBC = "jdbc";
    public static final String REST = "rest";
    public static final int DEFAULT_EXPIRE_DAYS = 7;
    public static final int DEFAULT_COMPACT_FILES = 32;
    /** The catalog's name: what an engine's catalog must be called to see the tables (a JDBC catalog sees only its own rows). */
    public static final String CATALOG_NAME = "census";
    public static final String NAMESPACE = "wickr_census";
    /** The directory of the warehouse under the datasets' root. */
    public static final String WAREHOUSE_DIR = "iceberg";

    public static final IcebergSettings OFF = new IcebergSettings(false, JDBC, null, null, Map.of(), DEFAULT_EXPIRE_DAYS,
            DEFAULT_COMPACT_FILES);

    public IcebergSettings {
        properties = Map.copyOf(properties == null ? Map.of() : properties);
        catalog = catalog == null ? JDBC : catalog;
        if (!catalog.equals(JDBC) && !catalog.equals(REST)) {
            throw new SettingException("catalog", "must be jdbc or rest, got '" + catalog + "'");
        }
        if (enabled && catalog.equals(REST) && (catalogUri == null || catalogUri.isBlank())) {
            throw new SettingException("catalogUri", "is required with the rest catalog (the catalog's REST endpoint)");
        }
        if (enabled && catalog.equals(JDBC)) {
            Objects.requireNonNull(warehouse, "warehouse");
        }
        if (expireDays < 1) {
            throw new SettingException("icebergExpireDays", "must be at least 1, got " + expireDays);
        }
        if (compactFiles < 2) {
            throw new SettingException("icebergCompactFiles", "must be at least 2, got " + compactFiles);
        }
    }

    /** The JDBC catalog in the job's database, its warehouse under {@code root}. */
    public static IcebergSettings jdbc(FileRoot datasetsRoot) {
        return new IcebergSettings(true, JDBC, null, datasetsRoot, Map.of(), DEFAULT_EXPIRE_DAYS, DEFAULT_COMPACT_FILES);
    }

    public IcebergSettings withEnabled(boolean on) {
        return new IcebergSettings(on, catalog, catalogUri, warehouse, properties, expireDays, compactFiles);
    }
}
