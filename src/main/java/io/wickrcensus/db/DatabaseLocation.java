package io.wickrcensus.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import io.wickrcensus.support.FileProblems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's PostgreSQL, open: the server {@link DatabaseSettings} configure, else an embedded
 * PostgreSQL whose data directory persists between runs so a relaunch finds the run it resumes.
 */
public final class DatabaseLocation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseLocation.class);

    private final String url;
    private final String user;
    private final String password;
    private final EmbeddedPostgres embedded;
    private final FileChannel embeddedLock;

    private DatabaseLocation(String url, String user, String password, EmbeddedPostgres embedded, FileChannel embeddedLock) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
        this.embeddedLock = embeddedLock;
    }

    /**
     * Opens the database the settings name (starting the embedded one if none is configured) and
     * proves it answers. Throws {@link DatabaseUnavailableException} with one readable line when it does not.
     */
    public static DatabaseLocation resolve(DatabaseSettings settings) {
        return resolve(settings, true);
    }

    /**
     * The same; {@code stopOnJvmExit} false leaves stopping an embedded server to {@link #close()}:
     * for a caller that stops its own work first when the JVM is asked to exit (SIGTERM), since
     * shutdown hooks run in no order.
     */
    public static DatabaseLocation resolve(DatabaseSettings settings, boolean stopOnJvmExit) {
        if (settings.configured()) {
            DatabaseLocation db = new DatabaseLocation(settings.url(), settings.user(), settings.password(), null, null);
            db.ping();
            return db;
        }
        return startEmbedded(settings.embeddedDataDir(), stopOnJvmExit);
    }

    /**
     * Starts (or reuses the data of) the embedded PostgreSQL in {@code dataDir}. A file lock held for
     * the process's lifetime tells a live owner from a dead one: a second launch that cannot take it
     * is refused, and a server left running by a killed launch is stopped before a new one starts.
     */
    public static DatabaseLocation startEmbedded(Path dataDir) {
        return startEmbedded(dataDir, true);
    }

    private static DatabaseLocation startEmbedded(Path dataDir, boolean stopOnJvmExit) {
        return startEmbedded(dataDir, stopOnJvmExit, DatabaseLocation::ping);
    }

    /**
     * The same, proving the started server answers with {@code check}: when it throws, the server
     * is stopped and the lock let go before the failure goes up, so nothing outlives it.
     */
    static DatabaseLocation startEmbedded(Path dataDir, boolean stopOnJvmExit, java.util.function.Consumer<DatabaseLocation> check) {
        FileChannel lockChannel = null;
        try {
            Files.createDirectories(dataDir);
            Path lockFile = dataDir.resolveSibling(dataDir.getFileName() + ".lock");
            lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = lockChannel.tryLock();
            if (lock == null) {
                lockChannel.close();
                throw new DatabaseInUseException("the embedded database in " + dataDir + " is in use by another wickr-census process");
            }
            stopOrphan(dataDir);
            boolean fresh = !Files.exists(dataDir.resolve("PG_VERSION"));
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(stopOnJvmExit)
                    .setServerConfig("max_connections", "100")
                    .start();
            log.info("embedded PostgreSQL {} in {} on port {}", fresh ? "initialised" : "started", dataDir, pg.getPort());
            DatabaseLocation db = new DatabaseLocation(pg.getJdbcUrl("postgres", "postgres"), "postgres", null, pg, lockChannel);
            try {
                check.accept(db);
            } catch (RuntimeException e) {
                db.close(); // stops the server it started and lets the lock go
                throw e;
            }
            return db;
        } catch (OverlappingFileLockException e) {
            closeQuietly(lockChannel);
            throw new DatabaseInUseException("the embedded database in " + dataDir + " is in use by this process already");
        } catch (IOException | IllegalStateException e) {
            closeQuietly(lockChannel);
            throw new DatabaseUnavailableException("could not start the embedded PostgreSQL in " + dataDir + " (--data-dir): "
                    + (e instanceof IOException io ? FileProblems.describe(io) : e.getMessage()));
        }
    }

    /** Stops a PostgreSQL server left running on {@code dataDir} by a launch that was killed. */
    private static void stopOrphan(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (RuntimeException e) {
            return;
        }
        var process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
        if (process.isEmpty()) {
            return;
        }
        log.warn("stopping the embedded PostgreSQL (pid {}) left running by a launch that was killed", pid);
        process.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown; its clients died with their process
        try {
            if (!process.get().onExit().toCompletableFuture().completeOnTimeout(null, 30, TimeUnit.SECONDS).join().isAlive()) {
                return;
            }
        } catch (RuntimeException e) {
            // fall through to a forced stop
        }
        process.get().destroyForcibly(); // crash recovery replays the WAL on the next start
        process.get().onExit().toCompletableFuture().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                log.debug("closing the lock file: {}", e.getMessage());
            }
        }
    }

    private void ping() {
        try (Connection c = connect(); var st = c.createStatement()) {
            st.execute("SELECT 1");
        } catch (SQLException e) {
            if (unreachable(e)) {
                throw new DatabaseUnreachableException("cannot reach the database at " + redact(url) + ": " + e.getMessage()
                        + "; nothing was done, and the next launch tries again");
            }
            throw new DatabaseUnavailableException("the database at " + redact(url) + " refused the job: " + e.getMessage());
        }
    }

    /**
     * Whether a failed connection is the network's or the server's state, not the configuration's:
     * a connection exception (SQLSTATE class 08: refused, reset, timed out, host not found), a
     * server starting up or shutting down (57P03), or one with no connection slot free (53300).
     * Wrong credentials (28P01, 28000), an unknown database (3D000) and missing grants are not.
     */
    static boolean unreachable(SQLException e) {
        String state = e.getSQLState();
        return state == null ? e.getCause() instanceof java.io.IOException
                : state.startsWith("08") || state.equals("57P03") || state.equals("53300");
    }

    /** A data source of {@link #connect()}ed connections, unpooled: for commands that need a few. */
    public javax.sql.DataSource dataSource() {
        return new org.springframework.jdbc.datasource.AbstractDataSource() {
            @Override
            public Connection getConnection() throws SQLException {
                return connect();
            }

            @Override
            public Connection getConnection(String username, String password) throws SQLException {
                return connect();
            }
        };
    }

    /** A connection whose errors do not quote the failing row (PostgreSQL's details may hold personal data). */
    public Connection connect() throws SQLException {
        java.util.Properties p = new java.util.Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        p.setProperty("logServerErrorDetail", "false");
        return DriverManager.getConnection(url, p);
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** The URL without credentials that some operators put in it. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    @Override
    public void close() {
        if (embedded != null) {
            try {
                embedded.close();
            } catch (IOException e) {
                log.warn("stopping the embedded PostgreSQL failed: {}", e.getMessage());
            }
        }
        closeQuietly(embeddedLock);
    }

    /** The database cannot be used: one line says why. */
    public static class DatabaseUnavailableException extends RuntimeException {
        public DatabaseUnavailableException(String message) {
            super(message);
        }
    }

    /**
     * The database could not be reached (the network, or a server that is down or starting): a
     * scheduler retries this, where it gives up on a configuration that is wrong.
     */
    public static final class DatabaseUnreachableException extends DatabaseUnavailableException {
        public DatabaseUnreachableException(String message) {
            super(message);
        }
    }

    /** The embedded database is held by another live process. */
    public static final class DatabaseInUseException extends DatabaseUnavailableException {
        public DatabaseInUseException(String message) {
            super(message);
        }
    }
}
