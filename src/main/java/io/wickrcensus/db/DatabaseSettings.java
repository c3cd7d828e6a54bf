package io.wickrcensus.db;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Which PostgreSQL the job uses: a configured server ({@code url}, {@code user}, {@code password}),
 * or, when no URL is given, the embedded one whose data lives in {@code embeddedDataDir} between runs.
 *
 * @param url             a {@code jdbc:postgresql:} URL, or null for the embedded database
 * @param user            the configured server's user, or null
 * @param password        the configured server's password, or null; never printed
 * @param embeddedDataDir where the embedded PostgreSQL keeps its data
 */
public record DatabaseSettings(String url, String user, String password, Path embeddedDataDir) {

    /** The embedded database's data directory unless told otherwise. */
    public static final String DEFAULT_DATA_DIR = "census-data/postgres";

    public DatabaseSettings {
        url = url == null || url.isBlank() ? null : url.trim();
        Objects.requireNonNull(embeddedDataDir, "embeddedDataDir");
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("CENSUS_DB_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got '"
                    + DatabaseLocation.redact(url) + "'");
        }
    }

    /** The embedded database in {@code dataDir}. */
    public static DatabaseSettings embedded(Path dataDir) {
        return new DatabaseSettings(null, null, null, dataDir);
    }

    /**
     * The database the environment names: {@code CENSUS_DB_URL}, {@code CENSUS_DB_USER} and
     * {@code CENSUS_DB_PASSWORD} (else the {@code spring.datasource.*} system properties), or the
     * embedded one in {@code embeddedDataDir} when no URL is set.
     */
    public static DatabaseSettings fromEnvironment(Map<String, String> env, Path embeddedDataDir) {
        return new DatabaseSettings(
                first(env.get("CENSUS_DB_URL"), System.getProperty("spring.datasource.url")),
                first(env.get("CENSUS_DB_USER"), System.getProperty("spring.datasource.username")),
                first(env.get("CENSUS_DB_PASSWORD"), System.getProperty("spring.datasource.password")),
                embeddedDataDir);
    }

    /** The embedded database's data directory: the option when given, else {@code CENSUS_DATA_DIR}, else the default. */
    public static Path dataDir(Path option, Map<String, String> env) {
        if (option != null) {
            return option;
        }
        String v = env.get("CENSUS_DATA_DIR");
        return Path.of(v != null && !v.isBlank() ? v.trim() : DEFAULT_DATA_DIR);
    }

    /** Whether a server is configured (else the embedded database is used). */
    public boolean configured() {
        return url != null;
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }

    @Override
    public String toString() {
        return configured() ? "PostgreSQL at " + DatabaseLocation.redact(url) + (user == null ? "" : " as " + user)
                : "embedded PostgreSQL in " + embeddedDataDir;
    }
}
