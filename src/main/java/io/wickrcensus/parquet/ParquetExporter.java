package io.wickrcensus.parquet;

import static io.wickrcensus.db.ColumnType.BOOLEAN;
import static io.wickrcensus.db.ColumnType.DATE;
import static io.wickrcensus.db.ColumnType.INT32;
import static io.wickrcensus.db.ColumnType.INT64;
import static io.wickrcensus.db.ColumnType.STRING;
import static io.wickrcensus.db.ColumnType.STRING_LIST;
import static io.wickrcensus.db.ColumnType.TIMESTAMP;
import static io.wickrcensus.parquet.ParquetColumn.of;

import io.wickrcensus.api.model.User;
import io.wickrcensus.db.UserColumn;
import io.wickrcensus.faults.CrashPoints;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a published run as Parquet datasets, from what PostgreSQL holds (so a relaunch can
 * always rebuild them), in Hive-style partitions:
 * <pre>
 * users/network_id=N/snapshot_date=YYYY-MM-DD/part-*.parquet   the roster as of the run
 * guest_users/network_id=N/billing_period=YYYY-MM/part-*.parquet the latest observed guest list of each period
 * unames/network_id=N/part-*.parquet                           the uname directory
 * runs/network_id=N/part-*.parquet                             the run ledger
 * </pre>
 * Partition columns live in the paths, not in the files. The schema is documented in the README.
 */
public final class ParquetExporter {

    private static final Logger log = LoggerFactory.getLogger(ParquetExporter.class);

    /** The run, then every user column ({@link UserColumn}). */
    static final List<ParquetColumn> USERS = Stream.concat(Stream.of(of("run_id", INT64)),
            UserColumn.ALL.stream().map(c -> of(c.column(), c.type()))).toList();
    static final List<ParquetColumn> GUESTS = List.of(
            of("snapshot_date", DATE), of("run_id", INT64), of("username", STRING), of("username_hash", STRING));
    static final List<ParquetColumn> UNAMES = List.of(
            of("uname", STRING), of("username", STRING), of("first_resolved_at", TIMESTAMP), of("last_resolved_at", TIMESTAMP));
    static final List<ParquetColumn> RUNS = List.of(
            of("run_id", INT64), of("snapshot_date", DATE), of("billing_periods", STRING_LIST), of("status", STRING),
            of("started_at", TIMESTAMP), of("finished_at", TIMESTAMP), of("attempts", INT32), of("users_staged", INT64),
            of("users_reported", INT64), of("unames_resolved", INT64), of("unames_failed", INT64), of("bots_staged", INT64),
            of("bots_reported", INT64), of("users_count_reading", STRING), of("reconcile_outcome", STRING));

    private static final String RUNS_QUERY = "SELECT run_id, as_of AS snapshot_date, billing_periods, status, started_at, finished_at, "
            + "attempts, users_staged, users_reported, unames_resolved, unames_failed, bots_staged, bots_reported, users_count_reading, "
            + "reconcile_outcome FROM census.run WHERE network_id = ? ORDER BY run_id";

    private final DataSource dataSource;
    private final ParquetSettings settings;

    public ParquetExporter(DataSource dataSource, ParquetSettings settings) {
        this.dataSource = dataSource;
        this.settings = settings;
    }

    /**
     * Partitions of a run written before the run is published, for {@link #export} to make the
     * partitions' once it is: the users partition as the users are staged ({@link #usersAsListed}) or
     * from the staged snapshot ({@link #prepareUsers}, while the uname lookups, the reconciliation and
     * the publish run), and the uname directory once the lookups are done ({@link #prepareUnames},
     * while reconciliation and publish run). The two largest datasets are then written beside the
     * steps before, instead of after them. They live in the store's staging only; if the process dies, the relaunch's export writes them from what PostgreSQL
     * holds, as always.
     */
    public static final class Prepared implements AutoCloseable {
        private final long runId;
        private final DatasetStore store;
        private volatile PartitionWriter.Pending users;
        private volatile PartitionWriter.Pending unames;
        /** The users partition was written as the users were staged ({@link UsersAsListed}). */
        private volatile boolean usersAsListed;
        private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

        private Prepared(long runId, DatasetStore store) {
            this.runId = runId;
            this.store = store;
        }

        /** The rows of the users partition written ahead. */
        public long usersRows() {
            return users.rows();
        }

        /** Gives the partitions up (the run was not published, or exported another way); once, however often called. */
        @Override
        public void close() {
            if (closed.getAndSet(true)) {
                return;
            }
            for (PartitionWriter.Pending p : new PartitionWriter.Pending[] {users, unames}) {
                if (p != null) {
                    p.abandon();
                }
            }
            closeQuietly(store);
        }
    }

    /**
     * The users rows of the run's staged snapshot, as the publish will record them: the last row
     * staged for each user (publish makes exactly these the roster of the run).
     */
    private static final String STAGED_USERS = "SELECT DISTINCT ON (user_id) " + names(USERS)
            + " FROM census.stage_user WHERE run_id = ? ORDER BY user_id, seq DESC";

    private static final String UNAMES_QUERY = "SELECT " + names(UNAMES) + " FROM census.uname_directory WHERE network_id = ? ORDER BY uname";

    /**
     * A read-only transaction whose snapshot is taken when this returns, for {@link #prepareUsers} to
     * read the staged rows from later, on another thread: by then publish may have cleared
     * staging, and a snapshot taken then would see no rows.
     */
    public static final class StagedSnapshot implements AutoCloseable {
        private final Connection connection;

        private StagedSnapshot(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void close() {
            try {
                connection.close();
            } catch (SQLException e) {
                log.debug("closing the staged snapshot: {}", e.getMessage());
            }
        }
    }

    /** Takes the snapshot of what is staged now (staging complete, not published yet); see {@link StagedSnapshot}. */
    public StagedSnapshot pinStaged() throws SQLException {
        Connection c = snapshot();
        try (var st = c.createStatement()) {
            st.execute("SELECT 1"); // a repeatable-read transaction takes its snapshot at its first query
            return new StagedSnapshot(c);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Opens the network's store for the partitions of run {@code runId} written ahead of its publish
     * ({@link #prepareUsers}, {@link #prepareUnames}, from two threads if need be); what an
     * interrupted write of the network left is recovered first, as {@link #export} would.
     */
    public Prepared openAhead(long runId, String networkId) throws IOException {
        DatasetStore store = DatasetStore.open(settings, networkId);
        try {
            store.recover(networkDirs(networkId));
        } catch (IOException | RuntimeException e) {
            closeQuietly(store);
            throw e;
        }
        return new Prepared(runId, store);
    }

    /**
     * Writes the run's users partition from its staged snapshot, read in {@code staged} (closed
     * here), into {@code prepared}, for {@link #export} to make the partition's after the publish.
     */
    public void prepareUsers(Prepared prepared, StagedSnapshot staged, String networkId, LocalDate asOf) throws SQLException, IOException {
        try (staged) {
            Connection c = staged.connection;
            prepared.users = new PartitionWriter(settings, prepared.store, prepared.runId, "export")
                    .prepare(c, usersPartition(networkId, asOf), "users", USERS, STAGED_USERS, prepared.runId);
            c.commit();
        }
    }

    /**
     * The users partition of a run written while its users are staged, as the pages arrive, in the
     * order the service listed them, into a store opened by {@link #openAhead}: {@link #finish}
     * leaves it in that {@link Prepared} for {@link #export}, {@link #abandon} gives it up. It is the
     * caller's to write the users the publish will record, each once.
     */
    public static final class UsersAsListed {
        private final Prepared prepared;
        private final PartitionWriter.Rows rows;

        private UsersAsListed(Prepared prepared, PartitionWriter.Rows rows) {
            this.prepared = prepared;
            this.rows = rows;
        }

        public void add(User user) throws IOException {
            Object[] row = new Object[USERS.size()];
            row[0] = prepared.runId;
            for (int i = 0; i < UserColumn.ALL.size(); i++) {
                row[i + 1] = UserColumn.ALL.get(i).valueOf(user);
            }
            rows.write(row);
        }

        public void finish() throws IOException {
            prepared.users = rows.finish();
            prepared.usersAsListed = true;
        }

        public void abandon() {
            rows.abandon();
        }
    }

    /** Begins the run's users partition in {@code prepared}, to be written a user at a time; see {@link UsersAsListed}. */
    public UsersAsListed usersAsListed(Prepared prepared, String networkId, LocalDate asOf) throws IOException {
        return new UsersAsListed(prepared, new PartitionWriter(settings, prepared.store, prepared.runId, "export")
                .open(usersPartition(networkId, asOf), "users", USERS));
    }

    /** Writes the network's uname partition into {@code prepared}, once the run's lookups are done (the directory is final). */
    public void prepareUnames(Prepared prepared, String networkId) throws SQLException, IOException {
        try (Connection c = snapshot()) {
            prepared.unames = new PartitionWriter(settings, prepared.store, prepared.runId, "export")
                    .prepare(c, "unames/network_id=" + networkId, "unames", UNAMES, UNAMES_QUERY, networkId);
            c.commit();
        }
    }

    private static String usersPartition(String networkId, LocalDate asOf) {
        return "users/network_id=" + networkId + "/snapshot_date=" + asOf;
    }

    private static void closeQuietly(DatasetStore store) {
        try {
            store.close();
        } catch (IOException | RuntimeException e) {
            log.debug("closing the dataset store: {}", e.getMessage());
        }
    }

    /** Writes (or rewrites) every dataset partition of the run; see {@link #export(long, String, LocalDate, List, Prepared)}. */
    public void export(long runId, String networkId, LocalDate asOf, List<String> billingPeriods) throws SQLException, IOException {
        export(runId, networkId, asOf, billingPeriods, null);
    }

    /**
     * Writes (or rewrites) every dataset partition of the run, once it is published. The uname
     * directory, as large as the roster, is written on a second thread and connection while this
     * one writes the users, the guests and the runs: both read one snapshot of the database
     * (exported by the first transaction, imported by the second), as one connection would. The
     * partitions {@code prepared} for this run, if any, are made the partitions' instead of being
     * written again; the store they were written to is used, and closed.
     */
    public void export(long runId, String networkId, LocalDate asOf, List<String> billingPeriods, Prepared prepared)
            throws SQLException, IOException {
        String net = "network_id=" + networkId;
        boolean usePrepared = prepared != null && prepared.runId == runId && prepared.users != null;
        if (prepared != null && !usePrepared) {
            prepared.close();
        }
        try (DatasetStore store = usePrepared ? prepared.store : DatasetStore.open(settings, networkId); Connection c = snapshot()) {
            if (!usePrepared) {
                store.recover(networkDirs(networkId)); // a prepared partition's store was recovered before it was written
            }
            String snapshotId;
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                snapshotId = rs.getString(1);
            }
            long users;
            long guests = 0;
            long unames;
            try (Connection c2 = snapshot(snapshotId)) {
                ExecutorService second = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "parquet-unames-" + networkId);
                    t.setDaemon(true);
                    return t;
                });
                PartitionWriter.Pending preparedUnames = usePrepared ? prepared.unames : null;
                Future<Long> unameRows = second.submit(() -> preparedUnames != null ? preparedUnames.commit()
                        : new PartitionWriter(settings, store, runId, "export").write(c2, "unames/" + net, "unames", UNAMES, UNAMES_QUERY,
                                networkId));
                try {
                    PartitionWriter w = new PartitionWriter(settings, store, runId, "export");
                    users = usePrepared ? prepared.users.commit() : w.write(c, usersPartition(networkId, asOf), "users", USERS,
                            "SELECT " + names(USERS) + " FROM census.roster_by_run WHERE run_id = ? ORDER BY user_id", runId);
                    for (String period : billingPeriods) {
                        guests += writeGuests(w, c, net, period, runId);
                    }
                    writeRuns(w, c, net, networkId);
                    unames = awaitUnames(unameRows);
                } finally {
                    // ended by now, unless this thread failed: then interrupted, and ended before its connection closes
                    second.shutdownNow();
                    awaitQuietly(second);
                }
                c2.commit();
            }
            c.commit();
            String usersAhead = prepared != null && prepared.usersAsListed ? "users written as they were staged" : "users written before the publish";
            String ahead = !usePrepared ? "" : prepared.unames == null ? "; " + usersAhead
                    : "; " + usersAhead + ", unames before the publish";
            log.info("network {}: Parquet datasets written to {} ({} users, {} guests, {} unames{})", networkId, settings.location(),
                    users, guests, unames, ahead);
        }
    }

    /** The uname dataset's row count, or the failure of its write as this thread's. */
    private static long awaitUnames(Future<Long> rows) throws SQLException, IOException {
        try {
            return rows.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            rows.cancel(true);
            throw new IOException("interrupted while the uname dataset was written", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * After a retraction of the run of {@code asOf} (already committed in PostgreSQL): removes its
     * users partition, rewrites the guest partition of each of its billing periods from the latest
     * published run that still covers the period (or removes it when none does), and rewrites the
     * network's runs dataset. Each partition changes atomically for readers; running it again
     * gives the same result, so a relaunch after a crash completes it.
     */
    public void retract(long runId, String networkId, LocalDate asOf, List<String> billingPeriods) throws SQLException, IOException {
        String net = "network_id=" + networkId;
        try (DatasetStore store = DatasetStore.open(settings, networkId); Connection c = snapshot()) {
            store.recover(networkDirs(networkId));
            PartitionWriter w = new PartitionWriter(settings, store, runId, "retract");
            w.remove("users/" + net + "/snapshot_date=" + asOf);
            for (String period : billingPeriods) {
                Long latest = latestCovering(c, networkId, period);
                if (latest == null) {
                    w.remove("guest_users/" + net + "/billing_period=" + period);
                } else {
                    writeGuests(w, c, net, period, latest);
                }
                CrashPoints.reach("retract.parquet");
            }
            writeRuns(w, c, net, networkId);
            c.commit();
        }
        log.info("network {}: Parquet partitions of the snapshot of {} removed; guest and run datasets rewritten", networkId, asOf);
    }

    /** One snapshot of the data for all datasets, streamed with cursors. */
    private Connection snapshot() throws SQLException {
        return snapshot(null);
    }

    /** A read-only transaction in a new snapshot, or in the one another transaction exported ({@code pg_export_snapshot}). */
    private Connection snapshot(String exported) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            try (var st = c.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                if (exported != null) {
                    st.execute("SET TRANSACTION SNAPSHOT '" + exported.replace("'", "''") + "'");
                }
            }
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** Each dataset's directory of the network: what a relaunch's recovery looks through. */
    private static List<String> networkDirs(String networkId) {
        return Stream.of("users", "guest_users", "unames", "runs").map(d -> d + "/network_id=" + networkId).toList();
    }

    private static long writeGuests(PartitionWriter w, Connection c, String net, String period, long runId)
            throws SQLException, IOException {
        return w.write(c, "guest_users/" + net + "/billing_period=" + period, "guest_users", GUESTS, "SELECT " + names(GUESTS)
                + " FROM census.guests_by_run WHERE run_id = ? AND billing_period = ? ORDER BY username_hash", runId, period);
    }

    /** The latest published run of the network that covered {@code period}, or null. */
    private static Long latestCovering(Connection c, String networkId, String period) throws SQLException {
        try (var ps = c.prepareStatement("SELECT p.run_id FROM census.published_runs p JOIN census.run_period rp USING (run_id) "
                + "WHERE p.network_id = ? AND rp.billing_period = ? ORDER BY p.publish_seq DESC LIMIT 1")) {
            ps.setString(1, networkId);
            ps.setString(2, period);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }

    private static long writeRuns(PartitionWriter w, Connection c, String net, String networkId) throws SQLException, IOException {
        return w.write(c, "runs/" + net, "runs", RUNS, RUNS_QUERY, networkId);
    }

    private static String names(List<ParquetColumn> columns) {
        return columns.stream().map(ParquetColumn::name).collect(Collectors.joining(", "));
    }
}
