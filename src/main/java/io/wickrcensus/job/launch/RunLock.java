package io.wickrcensus.job.launch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import javax.sql.DataSource;

/**
 * The run's lease on (network, as-of date) in {@code census.run_lease}, held by the launch's own
 * database session for the launch's lifetime. Held, it refuses a concurrent launch of the same
 * run; taken, it proves that an execution still marked as running belongs to a process that died
 * (its session is gone), so that execution can be recovered.
 *
 * <p>Unlike a PostgreSQL advisory lock, which any session may take whatever its privileges, the
 * lease needs write access to the census schema: an auditor's session cannot block a night.
 */
final class RunLock implements AutoCloseable {

    /** Who holds a lease: enough for the operator to find the session. */
    record Holder(int pid, String user, OffsetDateTime since) {
        @Override
        public String toString() {
            return "database session pid " + pid + " (user " + user + ") since " + since;
        }
    }

    /** The outcome of {@link #tryAcquire}: the lock, or who holds it. */
    record Attempt(RunLock lock, Holder holder) {
    }

    private final Connection connection;
    private final String networkId;
    private final LocalDate asOf;

    private RunLock(Connection connection, String networkId, LocalDate asOf) {
        this.connection = connection;
        this.networkId = networkId;
        this.asOf = asOf;
    }

    /**
     * Takes the lease (a new one, or one whose holding session is gone) on a connection kept for
     * the launch, or says who holds it.
     */
    static Attempt tryAcquire(DataSource dataSource, String networkId, LocalDate asOf) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO census.run_lease AS l (network_id, as_of, holder_pid, holder_started, holder_user)
                    SELECT ?, ?, pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()), current_user
                    ON CONFLICT (network_id, as_of) DO UPDATE
                       SET holder_pid = EXCLUDED.holder_pid, holder_started = EXCLUDED.holder_started,
                           holder_user = EXCLUDED.holder_user, since = now()
                     WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a
                                       WHERE a.pid = l.holder_pid
                                         AND (a.backend_start IS NULL OR l.holder_started IS NULL OR a.backend_start = l.holder_started))
                    RETURNING holder_pid""")) {
                ps.setString(1, networkId);
                ps.setObject(2, asOf);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Attempt(new RunLock(c, networkId, asOf), null);
                    }
                }
            }
            Holder holder = null;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT holder_pid, holder_user, since FROM census.run_lease WHERE network_id = ? AND as_of = ?")) {
                ps.setString(1, networkId);
                ps.setObject(2, asOf);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        holder = new Holder(rs.getInt(1), rs.getString(2), rs.getObject(3, OffsetDateTime.class));
                    }
                }
            }
            c.close();
            return new Attempt(null, holder);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Gives the lease up and the connection back. */
    @Override
    public void close() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "DELETE FROM census.run_lease WHERE network_id = ? AND as_of = ? AND holder_pid = pg_backend_pid()")) {
            ps.setString(1, networkId);
            ps.setObject(2, asOf);
            ps.executeUpdate();
        } finally {
            connection.close();
        }
    }
}
