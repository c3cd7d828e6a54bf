package io.wickrcensus.job.launch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The run's PostgreSQL session advisory lock on (network, as-of date), held on its own connection
 * for the launch's lifetime. Held, it refuses a concurrent launch of the same run; taken, it proves
 * that an execution still marked as running belongs to a process that died (PostgreSQL releases a
 * session lock when its connection goes), so that execution can be recovered.
 */
final class RunLock implements AutoCloseable {

    private static final int LOCK_CLASS = 0x57434E53; // "WCNS"

    private final Connection connection;
    private final String key;

    private RunLock(Connection connection, String key) {
        this.connection = connection;
        this.key = key;
    }

    /** Takes the lock, or returns empty when another session holds it. */
    static Optional<RunLock> tryAcquire(DataSource dataSource, String networkId, LocalDate asOf) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            String key = networkId + "|" + asOf;
            if (call(c, "SELECT pg_try_advisory_lock(?, hashtext(?))", key)) {
                return Optional.of(new RunLock(c, key));
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return Optional.empty();
    }

    private static boolean call(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setInt(1, LOCK_CLASS);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** Releases the lock (the connection goes back to a pool, which would keep a session lock) and the connection. */
    @Override
    public void close() throws SQLException {
        try {
            call(connection, "SELECT pg_advisory_unlock(?, hashtext(?))", key);
        } finally {
            connection.close();
        }
    }
}
