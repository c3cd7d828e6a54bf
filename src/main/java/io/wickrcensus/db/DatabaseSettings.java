package io.wickrcensus.db;

import java.nio.file.Path;
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
            throw new io.wickrcensus.support.SettingException("database.url", "must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), got '"
                    + DatabaseLocation.redact(url) + "'");
        }
    }

    /** The embedded database in {@code dataDir}. */
    public static DatabaseSettings embedded(Path dataDir) {
        return new DatabaseSettings(null, null, null, dataDir);
    }

    /** Whether a server is configured (else the embedded database is used). */
    public boolean configured() {
        return url != null;
    }

    @Override
    public String toString() {
        return configured() ? "PostgreSQL at " + DatabaseLocation.redact(url) + (user == null ? "" : " as " + user)
                : "embedded PostgreSQL in " + embeddedDataDir;
    }
}
