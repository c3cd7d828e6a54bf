package io.wickrcensus.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for the tests: one embedded server per test JVM (so the suite needs no
 * installed server), and a fresh database per caller.
 */
public final class TestDatabases {

    private static EmbeddedPostgres server;
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabases() {
    }

    private static synchronized EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server;
    }

    /** A new, empty database; returns its JDBC URL (user postgres, no password). */
    public static String newDatabase(String prefix) {
        return create(prefix, "");
    }

    /**
     * A new database holding a copy of {@code url}'s (which no session may be connected to); returns
     * its JDBC URL.
     */
    public static String copyOf(String url, String prefix) {
        return create(prefix, " TEMPLATE " + url.substring(url.lastIndexOf('/') + 1).replaceFirst("\\?.*", ""));
    }

    private static String create(String prefix, String template) {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server().getJdbcUrl("postgres", "postgres"));
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + template);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return server().getJdbcUrl("postgres", name);
    }

    /** The environment that points the job at a database. */
    public static Map<String, String> env(String url) {
        return Map.of("CENSUS_DB_URL", url, "CENSUS_DB_USER", "postgres", "CENSUS_DB_PASSWORD", "");
    }

    public static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    /** A data source of fresh connections to the database. */
    public static javax.sql.DataSource dataSource(String url) {
        org.springframework.jdbc.datasource.DriverManagerDataSource ds = new org.springframework.jdbc.datasource.DriverManagerDataSource(url,
                "postgres", "");
        return ds;
    }
}
